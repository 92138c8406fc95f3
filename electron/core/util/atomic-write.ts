import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** The file operations an atomic write needs; tests pass one that fails like a full disk. */
export interface AtomicFs {
  mkdir(dir: string, opts: { recursive: true }): Promise<unknown>;
  open(
    file: string,
    flags: string,
    mode: number,
  ): Promise<{ writeFile(data: string | Uint8Array): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  rm(file: string, opts: { force: true }): Promise<void>;
}

export interface AtomicWriteOptions {
  /**
   * Fsync the temp file before the rename and the directory after it (default true). Without, a killed process
   * still leaves the old content or the new one; only a power cut may lose the write.
   */
  durable?: boolean;
  /** Create missing parent folders first (default true); without, a missing folder fails the write. */
  createDir?: boolean;
  fs?: AtomicFs;
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** ENOSPC / EDQUOT as DISK_FULL naming the folder (HTTP 507, translated); anything else unchanged. */
export function diskFullError(e: unknown, file: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && DISK_FULL_CODES.has(code))
    return new AppError('DISK_FULL', { path: path.dirname(file) }, String((e as Error).message ?? e));
  return e;
}

/** The name pattern of this module's temp files for `file` (a killed process leaves them behind). */
export function isTempOf(name: string, file: string): boolean {
  const base = path.basename(file);
  return name.startsWith(`${base}.`) && /^\.\d+\.[0-9a-f]{8}\.tmp$/.test(name.slice(base.length));
}

/** Removes temp files a killed process left next to `file` (call only while nothing else writes it). */
export async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.filter((n) => isTempOf(n, file)).map((n) => fs.rm(path.join(dir, n), { force: true }).catch(() => undefined)),
  );
}

/**
 * Writes a file so that readers see the old content or the new one, never a mix: write a sibling temp file,
 * fsync it, rename over the target, fsync the directory (where the platform allows). Whatever fails, the temp file
 * is removed (a full disk would otherwise keep it, and a folder holding it can never be pruned); a full disk is
 * DISK_FULL.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode = 0o644,
  { durable = true, createDir = true, fs: io = fs }: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    if (createDir) await io.mkdir(path.dirname(file), { recursive: true });
    // 'wx': a fresh file of our own, never something already at that name.
    const fh = await io.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      if (durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await io.rename(tmp, file);
  } catch (e) {
    await io.rm(tmp, { force: true }).catch(() => undefined);
    throw diskFullError(e, file);
  }
  if (durable && process.platform !== 'win32') {
    const dir = await fs.open(path.dirname(file), 'r').catch(() => null);
    if (dir) {
      await dir.sync().catch(() => undefined);
      await dir.close();
    }
  }
}

/** Serialises writes per file so two quick updates cannot reorder. */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
