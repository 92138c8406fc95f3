// Writes the release stand-in's archives. tar.gz: headers from the maintained `tar` package (tar.Header), written
// entry by entry so an entry may carry any name, hostile ones included (`../x`), with a fixed mtime so the same
// build gives the same bytes. zip: the system `zip` tool (Info-ZIP), entries at the archive root like the official
// Windows assets.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Header } from 'tar';

const BLOCK = 512;
const MTIME = new Date(Date.UTC(2026, 0, 1));

function headerBlock({ path: name, mode, size, type }) {
  const h = new Header({ path: name, mode, size, mtime: MTIME, type, uid: 0, gid: 0, uname: 'root', gname: 'root' });
  const block = Buffer.alloc(BLOCK);
  h.encode(block, 0);
  if (h.needPax) throw new Error(`tar entry name too long for a plain ustar header: ${name}`);
  return block;
}

/**
 * Writes `file` (tar.gz, atomically) from entries in order: { path, type: 'Directory' } or
 * { path, source: file on disk | data: Buffer, mode? }. Returns the file's size.
 */
export async function writeTarGz(file, entries) {
  async function* blocks() {
    for (const e of entries) {
      if (e.type === 'Directory') {
        yield headerBlock({
          path: e.path.endsWith('/') ? e.path : `${e.path}/`,
          mode: 0o755,
          size: 0,
          type: 'Directory',
        });
        continue;
      }
      const data = e.data ? Buffer.from(e.data) : fs.readFileSync(e.source);
      const mode = e.mode ?? (e.source ? fs.statSync(e.source).mode & 0o777 : 0o644);
      yield headerBlock({ path: e.path, mode, size: data.length, type: 'File' });
      yield data;
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad);
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    await pipeline(blocks, zlib.createGzip({ level: 6 }), fs.createWriteStream(tmp));
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return fs.statSync(file).size;
}

/** Writes `file` (zip, atomically) from files on disk: { name: entry at the root, source }. */
export function writeZip(file, entries) {
  const stage = fs.mkdtempSync(`${file}.stage-`);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp.zip`;
  try {
    for (const e of entries) {
      if (e.name.includes('/') || e.name.includes('\\') || e.name.startsWith('.'))
        throw new Error(`zip entries sit at the root: ${e.name}`);
      fs.copyFileSync(e.source, path.join(stage, e.name));
      fs.utimesSync(path.join(stage, e.name), MTIME, MTIME);
    }
    // -X: no extra attributes, -q quiet, -D no directory entries; deterministic for the same inputs.
    const r = spawnSync('zip', ['-X', '-q', '-D', tmp, ...entries.map((e) => e.name)], {
      cwd: stage,
      encoding: 'utf8',
    });
    if (r.error || r.status !== 0)
      throw new Error(`zip failed (${r.error?.message ?? r.status}): ${r.stderr}. Install it: apt-get install zip`);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(tmp, { force: true });
  }
  return fs.statSync(file).size;
}
