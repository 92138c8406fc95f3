/**
 * Unpacks a .zip (Windows release assets): yauzl reads the central directory (names, sizes, modes; it refuses
 * absolute and `..` names and data that overflows the file itself), every entry is decided by archive-entry.ts, and
 * each file's bytes are read from where yauzl's local header check says they start, in 1 MiB chunks, inflated by
 * zlib on the thread pool and written and hashed in one pass (archive-write.ts), never more bytes than the central
 * directory declares and never fewer. Links, devices and pipes are refused (a zip stores a link's target as data).
 * Called by archive.ts, which empties the folder after any failure.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { printable } from '../util/safe-path';
import { DEFAULT_LIMITS, zipEntryKind, zipUnixMode, type EntryChecker } from './archive-entry';
import { bad, CHUNK, Folders, verdictError, writeHashed, type UnpackedFile } from './archive-write';

const STORED = 0;
const DEFLATED = 8;

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise<yauzl.Entry | null>((resolve, reject) => {
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
}

/** The entry's unpacked bytes: its compressed range of `file`, inflated where it is deflated. */
async function entryData(file: string, zip: yauzl.ZipFile, entry: yauzl.Entry, asset: string, signal?: AbortSignal) {
  const method = entry.compressionMethod;
  if (method !== STORED && method !== DEFLATED) throw bad(asset, `${printable(entry.fileName)}: compression ${method}`);
  if (entry.compressedSize === 0) return { stream: null, end: async () => undefined };
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const raw = createReadStream(file, {
    start: fileDataStart,
    end: fileDataStart + entry.compressedSize - 1,
    highWaterMark: CHUNK,
    signal,
  });
  // Never left open (a Windows download with an open handle cannot be deleted), read to its end or not.
  if (method === STORED) return { stream: raw as Readable, end: async () => void raw.destroy() };
  const inflate = zlib.createInflateRaw({ chunkSize: CHUNK });
  // A read error (or the abort) ends the inflate with it.
  raw.on('error', (e) => inflate.destroy(e));
  raw.pipe(inflate);
  return {
    stream: inflate as Readable,
    end: async () => {
      raw.destroy();
      inflate.destroy();
    },
  };
}

async function* none(): AsyncIterable<Buffer> {}

export async function unpackZip(
  file: string,
  dest: string,
  o: { asset: string; signal?: AbortSignal; maxEntries?: number },
  checker: EntryChecker,
): Promise<UnpackedFile[]> {
  const zip = await yauzl.openPromise(file, {
    lazyEntries: true,
    autoClose: false,
    strictFileNames: true,
    validateEntrySizes: true,
    decodeStrings: true,
  });
  const out: UnpackedFile[] = [];
  const folders = new Folders();
  try {
    if (zip.entryCount > (o.maxEntries ?? DEFAULT_LIMITS.maxEntries)) throw bad(o.asset, `${zip.entryCount} entries`);
    for (;;) {
      o.signal?.throwIfAborted();
      const entry = await nextEntry(zip);
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
        await folders.make(target);
        continue;
      }
      const data = await entryData(file, zip, entry, o.asset, o.signal);
      const declared = entry.uncompressedSize;
      try {
        // Windows assets carry no modes; a Unix-made zip's executable bits are kept.
        const got = await writeHashed(target, mode !== null && mode & 0o111 ? 0o755 : 0o644, data.stream ?? none(), {
          asset: o.asset,
          entry: entry.fileName,
          folders,
          check: (n) => {
            if (n > declared) throw bad(o.asset, `${printable(entry.fileName)} is longer than its ${declared} bytes`);
          },
        });
        if (got.size !== declared)
          throw bad(o.asset, `${printable(entry.fileName)}: ${got.size} of its ${declared} bytes`);
        out.push({ path: v.rel, ...got });
      } finally {
        await data.end();
      }
    }
    o.signal?.throwIfAborted();
  } finally {
    zip.close();
  }
  return out;
}
