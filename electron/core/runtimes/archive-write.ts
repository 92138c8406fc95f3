/**
 * What the tar.gz and zip unpackers (archive-tar.ts, archive-zip.ts) share: their errors, writing one entry's bytes
 * into a new file while hashing them (one pass: the manifest's SHA-256 comes from the bytes written, not from
 * reading the tree again), and the symlinks made last and checked where they really lead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeFile } from '../../shared/runtimes';
import { AppError } from '../../shared/errors';
import { diskFullError } from '../util/atomic-write';
import { printable, staysInside } from '../util/safe-path';
import { linkTargetOf, type EntryVerdict } from './archive-entry';
import { hashFile } from './store';

/** A file (or a link leading to one) written by an unpack: '/'-separated path below the folder, size and SHA-256. */
export type UnpackedFile = RuntimeFile;

/** Read and inflate buffers: 1 MiB (node's 16-64 KiB defaults cost a third more time in callbacks and syscalls). */
export const CHUNK = 1 << 20;

export const unsafe = (asset: string, entry: string, reason: string) =>
  new AppError('RUNTIME_ARCHIVE_UNSAFE', { asset, entry: printable(entry, 200) }, reason);
export const bad = (asset: string, reason: string) => new AppError('RUNTIME_ARCHIVE_BAD', { asset, reason });

export function verdictError(asset: string, entry: string, v: EntryVerdict): AppError | null {
  if (v.kind === 'unsafe') return unsafe(asset, entry, v.reason);
  if (v.kind === 'too-big') return bad(asset, v.reason);
  return null;
}

/**
 * A failure of our own disk (full, read-only, no permission) is not a damaged archive: it goes up as it is (a full
 * disk as DISK_FULL), so the caller keeps the download. Format errors (zlib's Z_DATA_ERROR, tar's TAR_BAD_ARCHIVE,
 * yauzl's) are RUNTIME_ARCHIVE_BAD; yauzl's own refusal of an unsafe name is RUNTIME_ARCHIVE_UNSAFE.
 */
export function asUnpackError(asset: string, dest: string, e: unknown): unknown {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && /^E[A-Z]+$/.test(code)) return diskFullError(e, path.join(dest, 'x'));
  return yauzlUnsafe(asset, e) ?? bad(asset, printable((e as Error)?.message ?? String(e), 200));
}

/** A zip's own error for an unsafe name, as yauzl words it (it refuses those names itself). */
function yauzlUnsafe(asset: string, e: unknown): AppError | null {
  const m = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(
    String((e as Error)?.message),
  );
  return m ? unsafe(asset, m[2]!, m[1]!) : null;
}

/** The codes of a path that is already taken (by an entry before it, or a folder made for one). */
const CLASH = new Set(['EEXIST', 'EISDIR', 'ENOTDIR']);

/** Folders made so far in one unpack (each made once, not once per file). */
export class Folders {
  private readonly made = new Set<string>();
  async make(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await fs.mkdir(dir, { recursive: true });
    this.made.add(dir);
  }
}

/**
 * Writes `chunks` into the new file `target` (never an existing one, nor through a link: O_EXCL) with `mode`,
 * hashing them on the way. A name already taken is the archive's fault (RUNTIME_ARCHIVE_UNSAFE for `entry`).
 * `check` sees the running byte count before each chunk is written (the caps).
 */
export async function writeHashed(
  target: string,
  mode: number,
  chunks: AsyncIterable<Buffer>,
  o: { asset: string; entry: string; folders: Folders; check?: (bytes: number) => void },
): Promise<{ size: number; sha256: string }> {
  await o.folders.make(path.dirname(target));
  const fh = await fs.open(target, 'wx', mode).catch((e: unknown) => {
    throw CLASH.has((e as NodeJS.ErrnoException)?.code ?? '')
      ? unsafe(o.asset, o.entry, 'clashes with an entry before it')
      : e;
  });
  const h = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of chunks) {
      size += chunk.length;
      o.check?.(size);
      h.update(chunk);
      for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
  return { size, sha256: h.digest('hex') };
}

export interface PendingLink {
  /** '/'-separated, below the folder. */
  rel: string;
  linkpath: string;
}

/**
 * Makes the symlinks (after the files: a link to a link made before it is then no problem, and nothing was written
 * through one), checks again where each really leads now that everything is in place, and returns the links that
 * lead to a file with that file's size and hash (links to folders and dangling links carry no content).
 */
export async function finishLinks(
  dest: string,
  asset: string,
  links: readonly PendingLink[],
  files: ReadonlyMap<string, UnpackedFile>,
  folders: Folders,
): Promise<UnpackedFile[]> {
  for (const l of links) {
    const at = path.join(dest, ...l.rel.split('/'));
    await folders.make(path.dirname(at));
    await fs.symlink(l.linkpath, at).catch((e: unknown) => {
      throw CLASH.has((e as NodeJS.ErrnoException)?.code ?? '')
        ? unsafe(asset, l.rel, 'clashes with an entry before it')
        : e;
    });
  }
  for (const l of links)
    if (!(await staysInside(dest, path.join(dest, linkTargetOf(l.rel, l.linkpath)))))
      throw unsafe(asset, l.rel, 'link leads outside');
  const out: UnpackedFile[] = [];
  if (links.length === 0) return out;
  const realDest = await fs.realpath(dest);
  for (const l of links) {
    const at = path.join(dest, ...l.rel.split('/'));
    if (!(await fs.stat(at).catch(() => null))?.isFile()) continue;
    const real = path
      .relative(realDest, await fs.realpath(at))
      .split(path.sep)
      .join('/');
    const known = files.get(real);
    // Every file below the folder was hashed as it was written; a miss would be a bug, so it is hashed rather than
    // trusted.
    out.push({ path: l.rel, ...(known ? { size: known.size, sha256: known.sha256 } : await hashFile(at)) });
  }
  return out;
}
