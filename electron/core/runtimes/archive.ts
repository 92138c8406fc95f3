/**
 * Unpacks a downloaded runtime archive into an empty folder: .tar.gz with node-tar (Linux and macOS assets), .zip with
 * yauzl (Windows assets). Every entry is decided by archive-entry.ts before anything is written; the first unsafe one
 * (RUNTIME_ARCHIVE_UNSAFE naming it) or a damaged archive (RUNTIME_ARCHIVE_BAD) stops the unpack and empties the
 * folder again. Relative symlinks inside the folder are kept (official tarballs link libggml.so -> libggml.so.0);
 * zip links, devices and pipes are refused. Executable bits come from the tar modes (and from Unix-made zips).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Unpack, type ReadEntry } from 'tar';
import yauzl from 'yauzl';
import { AppError } from '../../shared/errors';
import { diskFullError } from '../util/atomic-write';
import { printable, staysInside } from '../util/safe-path';
import {
  DEFAULT_LIMITS,
  EntryChecker,
  linkTargetOf,
  zipEntryKind,
  zipUnixMode,
  type ArchiveLimits,
  type EntryKind,
  type EntryVerdict,
} from './archive-entry';
import { archiveKind } from './assets';

export interface UnpackOptions {
  /** The asset's name (for messages, and its format: .zip, .tar.gz or .tgz). */
  asset: string;
  limits?: Partial<ArchiveLimits>;
  signal?: AbortSignal;
}

const unsafe = (asset: string, entry: string, reason: string) =>
  new AppError('RUNTIME_ARCHIVE_UNSAFE', { asset, entry: printable(entry, 200) }, reason);
const bad = (asset: string, reason: string) => new AppError('RUNTIME_ARCHIVE_BAD', { asset, reason });

function verdictError(asset: string, entry: string, v: EntryVerdict): AppError | null {
  if (v.kind === 'unsafe') return unsafe(asset, entry, v.reason);
  if (v.kind === 'too-big') return bad(asset, v.reason);
  return null;
}

/**
 * A failure of our own disk (full, read-only, no permission) is not a damaged archive: it goes up as it is (a full
 * disk as DISK_FULL), so the caller keeps the download. Format errors have codes like TAR_BAD_ARCHIVE, Z_BUF_ERROR.
 */
function asUnpackError(asset: string, dest: string, e: unknown): unknown {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && /^E[A-Z]+$/.test(code)) return diskFullError(e, path.join(dest, 'x'));
  return yauzlUnsafe(asset, e) ?? bad(asset, describe(e));
}

function describe(e: unknown): string {
  const err = e as { message?: string; code?: string };
  return printable(err?.message ?? String(e), 200);
}

const TAR_KINDS: Partial<Record<ReadEntry['type'], EntryKind>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

async function unpackTarGz(file: string, dest: string, o: UnpackOptions, checker: EntryChecker): Promise<string[]> {
  const written: string[] = [];
  const links: { rel: string; linkpath: string }[] = [];
  let refused: AppError | null = null;
  const u = new Unpack({
    cwd: dest,
    strict: true,
    preserveOwner: false,
    noMtime: true,
    maxDepth: 64,
    // Machine code compresses ~3:1; a gzip of zeros ~1000:1.
    maxDecompressionRatio: 100,
    filter: (_p, entry) => {
      if (refused) return false;
      const e = entry as ReadEntry;
      const kind = TAR_KINDS[e.type] ?? 'other';
      // The path node-tar writes to: a PAX record's, where there is one, not the ustar header's.
      const raw = e.path;
      const v = checker.check({ path: raw, kind, size: e.size, linkpath: e.linkpath });
      refused = verdictError(o.asset, raw, v);
      if (refused) {
        u.abort(refused);
        return false;
      }
      if (v.kind !== 'ok') return false;
      if (kind !== 'dir') written.push(v.rel);
      if (kind !== 'symlink') return true;
      // Made after the files: node-tar refuses a link to a link made before it (libggml.so -> libggml.so.0 ->
      // libggml.so.0.9.7 depends on the order), and nothing may be written under a link anyway (archive-entry.ts).
      links.push({ rel: v.rel, linkpath: e.linkpath! });
      return false;
    },
  });
  await new Promise<void>((resolve, reject) => {
    const src = createReadStream(file);
    const onAbort = () => u.abort(o.signal!.reason as Error);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (e?: unknown) => {
      o.signal?.removeEventListener('abort', onAbort);
      src.destroy();
      if (e === undefined) resolve();
      else reject(e instanceof Error ? e : new Error(String(e)));
    };
    u.on('error', (e: unknown) => done(e));
    u.on('close', () => done());
    src.on('error', (e) => done(e));
    src.pipe(u as unknown as NodeJS.WritableStream);
  }).catch((e: unknown) => {
    if (o.signal?.aborted) throw o.signal.reason;
    throw refused ?? asUnpackError(o.asset, dest, e);
  });
  if (refused) throw refused;
  // An abort after the last entry was read still cancels: the caller wants nothing left.
  o.signal?.throwIfAborted();
  for (const l of links) {
    const at = path.join(dest, ...l.rel.split('/'));
    await fs.mkdir(path.dirname(at), { recursive: true });
    await fs.symlink(l.linkpath, at);
  }
  // Checked before writing, and again where they really lead now that everything is in place.
  for (const l of links)
    if (!(await staysInside(dest, path.join(dest, linkTargetOf(l.rel, l.linkpath)))))
      throw unsafe(o.asset, l.rel, 'link leads outside');
  return written;
}

/** A zip's own error for an unsafe name, as yauzl words it (it refuses those names itself). */
function yauzlUnsafe(asset: string, e: unknown): AppError | null {
  const m = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(
    String((e as Error)?.message),
  );
  return m ? unsafe(asset, m[2]!, m[1]!) : null;
}

async function unpackZip(file: string, dest: string, o: UnpackOptions, checker: EntryChecker): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, {
      lazyEntries: true,
      autoClose: false,
      strictFileNames: true,
      validateEntrySizes: true,
      decodeStrings: true,
    });
  } catch (e) {
    throw asUnpackError(o.asset, dest, e);
  }
  const written: string[] = [];
  try {
    if (zip.entryCount > (o.limits?.maxEntries ?? DEFAULT_LIMITS.maxEntries))
      throw bad(o.asset, `${zip.entryCount} entries`);
    for (;;) {
      o.signal?.throwIfAborted();
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (en: yauzl.Entry) => finish(null, en);
        const onEnd = () => finish(null, null);
        const onError = (e: Error) => finish(e, null);
        const finish = (e: Error | null, en: yauzl.Entry | null) => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
          if (e) reject(e);
          else resolve(en);
        };
        zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
        zip.readEntry();
      });
      if (!entry) break;
      const mode = zipUnixMode(entry.versionMadeBy, entry.externalFileAttributes);
      const kind = zipEntryKind(entry.fileName, mode);
      // A zip stores a link's target as its data: never followed, never written.
      const v = checker.check({ path: entry.fileName, kind, size: entry.uncompressedSize });
      const err = verdictError(o.asset, entry.fileName, v);
      if (err) throw err;
      if (v.kind !== 'ok') continue;
      if (entry.isEncrypted()) throw bad(o.asset, `${printable(entry.fileName)} is encrypted`);
      const target = path.join(dest, ...v.rel.split('/'));
      if (kind === 'dir') {
        await fs.mkdir(target, { recursive: true });
        continue;
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      const rs = await zip.openReadStreamPromise(entry);
      // Windows assets carry no modes; a Unix-made zip's executable bits are kept.
      const fileMode = mode !== null && mode & 0o111 ? 0o755 : 0o644;
      await pipeline(rs, createWriteStream(target, { flags: 'wx', mode: fileMode }), { signal: o.signal });
      written.push(v.rel);
    }
    o.signal?.throwIfAborted();
  } catch (e) {
    if (o.signal?.aborted) throw o.signal.reason;
    throw asUnpackError(o.asset, dest, e);
  } finally {
    zip.close();
  }
  return written;
}

/**
 * Unpacks `file` into `destDir` (created if missing; it must be empty) and returns the relative paths ('/'-separated)
 * of the files and links written. On any failure, including an abort, `destDir` is left empty (and removed if this
 * call created it) and the error is RUNTIME_ARCHIVE_UNSAFE, RUNTIME_ARCHIVE_BAD or the abort's reason.
 */
export async function unpackArchive(file: string, destDir: string, o: UnpackOptions): Promise<string[]> {
  const format = archiveKind(o.asset);
  if (!format) throw bad(o.asset, 'not a .zip or .tar.gz');
  o.signal?.throwIfAborted();
  const created = await fs.mkdir(destDir, { recursive: true });
  const dest = path.resolve(destDir);
  if ((await fs.readdir(dest)).length > 0) throw new Error(`${dest} is not empty`);
  const checker = new EntryChecker({ ...DEFAULT_LIMITS, ...o.limits });
  try {
    return format === 'zip' ? await unpackZip(file, dest, o, checker) : await unpackTarGz(file, dest, o, checker);
  } catch (e) {
    await emptyFolder(dest, created !== undefined);
    throw e;
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
