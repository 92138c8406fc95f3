/**
 * Test fixtures: archives with exactly the entries a test names, hostile ones included (`../x`, `/etc/x`, links that
 * leave, devices), which tar(1) and zip(1) refuse to write. Real formats: tar headers from node-tar's Header (ustar,
 * with a PAX record for long names as GNU tar writes), gzip from zlib; zip as PKWARE APPNOTE 6.3 (stored entries,
 * local headers, central directory, end record). Tests only.
 */
import zlib from 'node:zlib';
import { Header, Pax } from 'tar';

export interface FixtureEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO';
  data?: Buffer | string;
  mode?: number;
  linkpath?: string;
  /** The ustar header's own name when it should differ from `path` (then `path` goes into a PAX record). */
  headerPath?: string;
}

const BLOCK = 512;
const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

/** A .tar.gz of `entries` in order, names written as given (no sanitising). */
export function tarGz(entries: FixtureEntry[]): Buffer {
  const parts: Buffer[] = [];
  const mtime = new Date(1_700_000_000_000);
  for (const e of entries) {
    const type = e.type ?? 'File';
    const data = Buffer.from(e.data ?? '');
    const size = type === 'File' ? data.length : 0;
    const fields = {
      path: e.headerPath ?? e.path,
      type,
      size,
      mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      mtime,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      linkpath: e.linkpath ?? '',
    };
    if (e.headerPath !== undefined || Buffer.byteLength(e.path) > 99 || Buffer.byteLength(e.linkpath ?? '') > 99) {
      const pax = new Pax({ path: e.path, linkpath: e.linkpath, mtime });
      parts.push(pax.encode());
    }
    const h = new Header(fields);
    const block = Buffer.alloc(BLOCK);
    h.encode(block, 0);
    parts.push(block, data.subarray(0, size), pad(size));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return zlib.gzipSync(Buffer.concat(parts));
}

/** A .zip of `entries` (files and folders, stored), made "on Unix" so modes and link types are in the attributes. */
export function zip(entries: FixtureEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.path, 'utf8');
    const type = e.type ?? 'File';
    const data =
      type === 'Directory' ? Buffer.alloc(0) : Buffer.from(type === 'SymbolicLink' ? e.linkpath! : (e.data ?? ''));
    const crc = zlib.crc32(data);
    const ifmt = type === 'Directory' ? 0o040000 : type === 'SymbolicLink' ? 0o120000 : 0o100000;
    const attrs = ((ifmt | (e.mode ?? (type === 'Directory' ? 0o755 : 0o644))) << 16) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(attrs, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
