/** The `<name>.partial` file a download writes into, and the free space of its disk: the downloader's file I/O. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { openRegularFile } from '../util/regular-file';

/** The file operations the downloader needs (tests replace them to fail with ENOSPC). */
export interface PartialFile {
  write(buf: Uint8Array, position: number): Promise<void>;
  read(position: number, length: number): Promise<Uint8Array>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** A new, empty partial file of the final size (sparse: the disk fills as bytes arrive); one already there is emptied. */
export async function createPartialFile(file: string, size: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const fh = await openRegularFile(file, { mode: 'create', noFollow: true });
  try {
    await fh.truncate(0);
    await fh.truncate(size);
  } finally {
    await fh.close();
  }
}

export async function openPartialFile(file: string): Promise<PartialFile> {
  // Its name came from a hub: a link or a pipe put in its place is refused, not followed or waited on.
  const fh = await openRegularFile(file, { mode: 'r+', noFollow: true });
  return {
    async write(buf, position) {
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
        if (bytesWritten <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
        off += bytesWritten;
      }
    },
    async read(position, length) {
      const buf = Buffer.allocUnsafe(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(buf, off, length - off, position + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    },
    datasync: () => fh.datasync(),
    close: () => fh.close(),
  };
}

/** Free bytes for us on the disk holding `dir`; null when the OS cannot say. */
export async function statfsFree(dir: string): Promise<number | null> {
  try {
    const s = await fs.statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}
