import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /**
   * Fsync the temp file before the rename and the directory after it (default true). Without, a killed process
   * still leaves the old content or the new one; only a power cut may lose the write.
   */
  durable?: boolean;
  /** Create missing parent folders first (default true); without, a missing folder fails the write. */
  createDir?: boolean;
}

/**
 * Writes a file so that readers see the old content or the new one, never a mix: write a sibling temp file,
 * fsync it, rename over the target, fsync the directory (where the platform allows).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644, { durable = true, createDir = true }: AtomicWriteOptions = {}): Promise<void> {
  if (createDir) await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
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
