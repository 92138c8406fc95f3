/**
 * Unpacks a downloaded runtime archive into an empty folder: .tar.gz (Linux and macOS assets, archive-tar.ts) or .zip
 * (Windows assets, archive-zip.ts). Every entry is decided by archive-entry.ts before anything is written; the first
 * unsafe one (RUNTIME_ARCHIVE_UNSAFE naming it) or a damaged archive (RUNTIME_ARCHIVE_BAD) stops the unpack and
 * empties the folder again. Relative symlinks inside the folder are kept (official tarballs link libggml.so ->
 * libggml.so.0); zip links, devices and pipes are refused. Executable bits come from the tar modes (and from
 * Unix-made zips). Each file is hashed as it is written, so the caller's manifest needs no second pass.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_LIMITS, EntryChecker, type ArchiveLimits } from './archive-entry';
import { unpackTarGz } from './archive-tar';
import { asUnpackError, bad, type UnpackedFile } from './archive-write';
import { unpackZip } from './archive-zip';
import { archiveKind } from './assets';

export type { UnpackedFile } from './archive-write';

export interface UnpackOptions {
  /** The asset's name (for messages, and its format: .zip, .tar.gz or .tgz). */
  asset: string;
  limits?: Partial<ArchiveLimits>;
  signal?: AbortSignal;
}

/**
 * Unpacks `file` into `destDir` (created if missing; it must be empty) and returns every file written, and every
 * link that leads to one, with its relative path ('/'-separated), size and SHA-256 (links to folders and dangling
 * links carry no content and are not listed). On any failure, including an abort, `destDir` is left empty (and
 * removed if this call created it) and the error is RUNTIME_ARCHIVE_UNSAFE, RUNTIME_ARCHIVE_BAD, a disk error (as
 * DISK_FULL where it is one) or the abort's reason.
 */
export async function unpackArchive(file: string, destDir: string, o: UnpackOptions): Promise<UnpackedFile[]> {
  const format = archiveKind(o.asset);
  if (!format) throw bad(o.asset, 'not a .zip or .tar.gz');
  o.signal?.throwIfAborted();
  const created = await fs.mkdir(destDir, { recursive: true });
  const dest = path.resolve(destDir);
  if ((await fs.readdir(dest)).length > 0) throw new Error(`${dest} is not empty`);
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const checker = new EntryChecker(limits);
  try {
    const files =
      format === 'zip'
        ? await unpackZip(file, dest, { ...o, maxEntries: limits.maxEntries }, checker)
        : await unpackTarGz(file, dest, o, checker);
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } catch (e) {
    await emptyFolder(dest, created !== undefined);
    if (o.signal?.aborted) throw o.signal.reason;
    throw asUnpackError(o.asset, dest, e);
  }
}

async function emptyFolder(dir: string, removeItself: boolean): Promise<void> {
  if (removeItself) {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
    return;
  }
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true, maxRetries: 3 })));
}
