/**
 * Unpacks a .tar.gz (Linux and macOS release assets): the file read in 1 MiB chunks, inflated by zlib on the
 * thread pool, the tar stream parsed by node-tar's Parser (ustar, PAX and GNU long names, checksums), every entry
 * decided by archive-entry.ts before anything of it is written, and each file written and hashed in one pass
 * (archive-write.ts). Entries are handled strictly in archive order. Symlinks are made last, hard links point at a
 * file unpacked before, anything else (devices, pipes) is refused. Called by archive.ts, which empties the folder
 * after any failure.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { normalizeEntryPath, type EntryChecker, type EntryKind } from './archive-entry';
import {
  bad,
  CHUNK,
  finishLinks,
  Folders,
  verdictError,
  writeHashed,
  unsafe,
  type PendingLink,
  type UnpackedFile,
} from './archive-write';

/** Machine code compresses ~3:1; a gzip of zeros ~1000:1. Checked on the running totals. */
export const MAX_DECOMPRESSION_RATIO = 100;

const TAR_KINDS: Partial<Record<ReadEntry['type'], EntryKind>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'dir',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

export async function unpackTarGz(
  file: string,
  dest: string,
  o: { asset: string; signal?: AbortSignal },
  checker: EntryChecker,
): Promise<UnpackedFile[]> {
  const files = new Map<string, UnpackedFile>();
  /** Hard link targets are found case-insensitively, as the checker found them. */
  const byKey = new Map<string, UnpackedFile>();
  const links: PendingLink[] = [];
  const folders = new Folders();
  /** Entries handed to us and not finished: ended on a failure, so nothing waits on bytes that never come. */
  const live = new Set<ReadEntry>();
  let failure: unknown = null;
  let settle: { resolve: () => void; reject: (e: unknown) => void } | null = null;
  const parsed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const src = createReadStream(file, { highWaterMark: CHUNK });
  const gunzip = zlib.createGunzip({ chunkSize: CHUNK });
  const parser = new Parser({ strict: true });
  const fail = (e: unknown) => {
    if (failure !== null) return;
    failure = e ?? new Error('unpack failed');
    src.destroy();
    gunzip.destroy();
    parser.abort(failure as Error);
    // Ended where it is: whatever reads it stops at the bytes it has (and finds the file short). A destroyed entry
    // would not end a read already waiting.
    for (const entry of live) entry.end();
    settle!.reject(failure);
  };
  const onAbort = () => fail(o.signal!.reason);

  /** Decides and writes one entry; every entry is read to its end (the parser waits for that before the next). */
  async function handle(entry: ReadEntry): Promise<void> {
    try {
      await write(entry);
    } finally {
      entry.resume();
    }
  }
  async function write(entry: ReadEntry): Promise<void> {
    const kind = TAR_KINDS[entry.type] ?? 'other';
    // The path as written: a PAX record's, where there is one, not the ustar header's.
    const raw = entry.path;
    const v = checker.check({ path: raw, kind, size: entry.size, linkpath: entry.linkpath });
    const refused = verdictError(o.asset, raw, v);
    if (refused) throw refused;
    if (v.kind !== 'ok') return;
    const target = path.join(dest, ...v.rel.split('/'));
    if (kind === 'dir') return folders.make(target);
    if (kind === 'symlink') return void links.push({ rel: v.rel, linkpath: entry.linkpath! });
    if (kind === 'hardlink') {
      const to = byKey.get(normalizeEntryPath(entry.linkpath!).toLowerCase());
      if (!to) throw unsafe(o.asset, raw, 'hard link to a file not unpacked');
      await folders.make(path.dirname(target));
      await fs.link(path.join(dest, ...to.path.split('/')), target);
      return record({ path: v.rel, size: to.size, sha256: to.sha256 });
    }
    const got = await writeHashed(target, (entry.mode ?? 0o644) & 0o777, entry, {
      asset: o.asset,
      entry: raw,
      folders,
      check: (n) => {
        if (n > entry.size) throw bad(o.asset, `${raw} is longer than its header says`);
      },
    });
    if (got.size !== entry.size) throw bad(o.asset, `${raw}: ${got.size} of ${entry.size} bytes`);
    record({ path: v.rel, ...got });
  }
  const record = (f: UnpackedFile) => {
    files.set(f.path, f);
    byKey.set(f.path.toLowerCase(), f);
  };

  // One entry at a time, in archive order: the parser hands over the next one only once this one's bytes are read,
  // and `work` keeps its folder, file and close in order behind the one before.
  let work = Promise.resolve();
  parser.on('entry', (entry: ReadEntry) => {
    // An entry ended by a failure may still be written to by the parser before it stops: that error is ours already.
    entry.on('error', () => undefined);
    if (failure !== null) return void entry.resume();
    live.add(entry);
    work = work
      .then(() => (failure === null ? handle(entry) : undefined))
      .catch(fail)
      .finally(() => live.delete(entry));
  });
  parser.on('error', fail);
  parser.on('end', () => settle!.resolve());
  src.on('error', fail);
  gunzip.on('error', fail);
  let inflated = 0;
  gunzip.on('data', (chunk: Buffer) => {
    inflated += chunk.length;
    if (inflated > MAX_DECOMPRESSION_RATIO * Math.max(src.bytesRead, 1))
      return fail(bad(o.asset, `decompresses more than ${MAX_DECOMPRESSION_RATIO} times its size`));
    if (!parser.write(chunk)) {
      gunzip.pause();
      parser.once('drain', () => gunzip.resume());
    }
  });
  gunzip.on('end', () => parser.end());
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  else src.pipe(gunzip);
  try {
    await parsed;
    await work;
    if (failure !== null) throw failure;
  } catch (e) {
    fail(e);
    // Nothing may still be writing when the caller empties the folder.
    await work;
    throw failure;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  // An abort after the last entry was read still cancels: the caller wants nothing left.
  o.signal?.throwIfAborted();
  return [...files.values(), ...(await finishLinks(dest, o.asset, links, files, folders))];
}
