/**
 * unpackArchive on real archives: the release workflow's own `tar -czvf … --transform` and `zip -r -y` of a folder
 * holding our llama-server build and a libggml-style symlink chain, and hand-built hostile ones (archive-fixtures.ts).
 * After every refusal the destination folder is empty.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { tmpDir } from '../../test/helpers';
import { unpackArchive } from './archive';
import { tarGz, zip, type FixtureEntry } from './archive-fixtures';
import { hashTree } from './store';

const SERVER = path.resolve('resources/bin/linux-x64-cpu/llama-server');
const TAG = 'b9999';
const work = tmpDir('dl-archive-');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let n = 0;
const fresh = () => path.join(work, `dest-${++n}`);
const write = (name: string, data: Buffer) => {
  const p = path.join(work, name);
  fs.writeFileSync(p, data);
  return p;
};

/** build/bin as the release job packs it: binaries, shared libraries with their SONAME links. */
function buildBin(): string {
  const bin = path.join(work, 'build-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync(SERVER, path.join(bin, 'llama-server'));
  fs.chmodSync(path.join(bin, 'llama-server'), 0o755);
  fs.writeFileSync(path.join(bin, 'libggml.so.0.9.7'), 'not really a library');
  fs.symlinkSync('libggml.so.0.9.7', path.join(bin, 'libggml.so.0'));
  fs.symlinkSync('libggml.so.0', path.join(bin, 'libggml.so'));
  return bin;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('unpackArchive', () => {
  const bin = buildBin();

  it('unpacks the release workflow tarball: llama-<tag>/ prefix, exec bits, in-folder SONAME links', async () => {
    const file = path.join(work, `llama-${TAG}-bin-ubuntu-x64.tar.gz`);
    // .github/workflows/release.yml (ubuntu-cpu job), verbatim but for the tag.
    execFileSync('tar', ['-czvf', file, '--transform', `s,^\\.,llama-${TAG},`, '-C', bin, '.'], { stdio: 'ignore' });
    const dest = fresh();
    const files = await unpackArchive(file, dest, { asset: path.basename(file) });
    expect(files.map((f) => f.path)).toEqual(
      ['libggml.so', 'libggml.so.0', 'libggml.so.0.9.7', 'llama-server'].map((f) => `llama-${TAG}/${f}`),
    );
    // Hashed as written: the same as reading the unpacked tree again (links carry the content they lead to).
    expect(files).toEqual(await hashTree(dest));
    const server = path.join(dest, `llama-${TAG}`, 'llama-server');
    expect(fs.statSync(server).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(server).equals(fs.readFileSync(SERVER))).toBe(true);
    expect(fs.readlinkSync(path.join(dest, `llama-${TAG}`, 'libggml.so'))).toBe('libggml.so.0');
    expect(fs.readFileSync(path.join(dest, `llama-${TAG}`, 'libggml.so'), 'utf8')).toBe('not really a library');
    // It runs: the unpacked binary is the real one.
    expect(execFileSync(server, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBeDefined();
  });

  it('unpacks a Windows-style zip (entries at the root)', async () => {
    const file = path.join(work, `llama-${TAG}-bin-win-cpu-x64.zip`);
    execFileSync('zip', ['-q', '-r', '-j', file, path.join(bin, 'llama-server'), path.join(bin, 'libggml.so.0.9.7')]);
    const dest = fresh();
    const files = await unpackArchive(file, dest, { asset: path.basename(file) });
    expect(files.map((f) => f.path)).toEqual(['libggml.so.0.9.7', 'llama-server']);
    expect(files).toEqual(await hashTree(dest));
    expect(fs.readFileSync(path.join(dest, 'llama-server')).equals(fs.readFileSync(SERVER))).toBe(true);
  });

  const hostile: [string, FixtureEntry[], string][] = [
    [
      'a ../ entry',
      [
        { path: 'llama/ok', data: 'x' },
        { path: '../escaped', data: 'x' },
      ],
      '../escaped',
    ],
    ['an absolute entry', [{ path: '/tmp/dl-absolute-escape', data: 'x' }], '/tmp/dl-absolute-escape'],
    ['a drive-letter entry', [{ path: 'C:/evil.dll', data: 'x' }], 'C:/evil.dll'],
    [
      'a symlink leaving the folder',
      [{ path: 'llama/libggml.so', type: 'SymbolicLink', linkpath: '../../../etc/passwd' }],
      'llama/libggml.so',
    ],
    [
      'a file written through an in-folder link',
      [
        { path: 'llama/sub', type: 'SymbolicLink', linkpath: 'real' },
        { path: 'llama/sub/x', data: 'x' },
      ],
      'llama/sub/x',
    ],
    [
      'a PAX path escaping behind an innocent header name',
      [{ path: '../pax-escape', headerPath: 'llama/innocent', data: 'x' }],
      '../pax-escape',
    ],
    [
      'a long PAX path escaping',
      [{ path: `llama/${'a'.repeat(120)}/../../../long-escape`, data: 'x' }],
      `llama/${'a'.repeat(120)}/../../../long-escape`,
    ],
    ['a device entry', [{ path: 'llama/tty', type: 'CharacterDevice' }], 'llama/tty'],
    ['a FIFO entry', [{ path: 'llama/fifo', type: 'FIFO' }], 'llama/fifo'],
  ];

  it.each(hostile)('refuses a tarball with %s, and leaves nothing', async (_n, entries, entry) => {
    const file = write(`h${++n}.tar.gz`, tarGz([{ path: 'llama/first', data: 'written before' }, ...entries]));
    const dest = fresh();
    const e = await refusal(unpackArchive(file, dest, { asset: 'x.tar.gz' }));
    expect(e.code).toBe('RUNTIME_ARCHIVE_UNSAFE');
    expect(e.params).toMatchObject({ asset: 'x.tar.gz', entry });
    expect(fs.existsSync(dest)).toBe(false);
    expect(fs.existsSync('/tmp/dl-absolute-escape')).toBe(false);
    expect(fs.existsSync(path.join(work, 'escaped'))).toBe(false);
  });

  it.each<[string, FixtureEntry[], string]>([
    ['a ../ entry', [{ path: '../escaped', data: 'x' }], '../escaped'],
    ['an absolute entry', [{ path: '/tmp/dl-absolute-escape', data: 'x' }], '/tmp/dl-absolute-escape'],
    ['a symlink', [{ path: 'lib.so', type: 'SymbolicLink', linkpath: 'lib.so.0' }], 'lib.so'],
    ['a NUL in a name', [{ path: 'a\u0000b', data: 'x' }], 'a\\u0000b'],
  ])('refuses a zip with %s, and leaves nothing', async (_n, entries, entry) => {
    const file = write(`h${++n}.zip`, zip([{ path: 'first.dll', data: 'written before' }, ...entries]));
    const dest = fresh();
    fs.mkdirSync(dest);
    const e = await refusal(unpackArchive(file, dest, { asset: 'x.zip' }));
    expect(e.code).toBe('RUNTIME_ARCHIVE_UNSAFE');
    expect(e.params).toMatchObject({ asset: 'x.zip', entry });
    // The folder was there before: it stays, empty.
    expect(fs.readdirSync(dest)).toEqual([]);
  });

  it('refuses a truncated tarball and a truncated zip as RUNTIME_ARCHIVE_BAD, leaving nothing', async () => {
    const tgz = tarGz([{ path: 'llama/llama-server', data: fs.readFileSync(SERVER), mode: 0o755 }]);
    const z = zip([{ path: 'llama-server.exe', data: fs.readFileSync(SERVER) }]);
    for (const [name, data] of [
      ['t.tar.gz', tgz.subarray(0, tgz.length >> 1)],
      ['t.zip', z.subarray(0, z.length >> 1)],
      ['garbage.tar.gz', Buffer.from('this is not an archive at all')],
    ] as const) {
      const dest = fresh();
      const e = await refusal(unpackArchive(write(name, data), dest, { asset: name }));
      expect(e.code).toBe('RUNTIME_ARCHIVE_BAD');
      expect(e.params).toMatchObject({ asset: name });
      expect(fs.existsSync(dest)).toBe(false);
    }
  });

  it('stops at the size cap (zip bomb) and the entry cap', async () => {
    const big = write(
      'big.tar.gz',
      tarGz([
        { path: 'a', data: Buffer.alloc(4096) },
        { path: 'b', data: 'x' },
      ]),
    );
    const e1 = await refusal(unpackArchive(big, fresh(), { asset: 'big.tar.gz', limits: { maxBytes: 4096 } }));
    expect(e1.code).toBe('RUNTIME_ARCHIVE_BAD');
    const many = write('many.zip', zip([{ path: 'a' }, { path: 'b' }, { path: 'c' }]));
    const e2 = await refusal(unpackArchive(many, fresh(), { asset: 'many.zip', limits: { maxEntries: 2 } }));
    expect(e2.code).toBe('RUNTIME_ARCHIVE_BAD');
  });

  it('a hard link to a file unpacked before is linked, listed with that content', async () => {
    const file = write(
      'hard.tar.gz',
      tarGz([
        { path: 'llama/libggml.so.0.9.7', data: 'library bytes' },
        { path: 'llama/libggml-copy.so', type: 'Link', linkpath: 'llama/libggml.so.0.9.7' },
      ]),
    );
    const dest = fresh();
    const files = await unpackArchive(file, dest, { asset: 'hard.tar.gz' });
    expect(files.map((f) => f.path)).toEqual(['llama/libggml-copy.so', 'llama/libggml.so.0.9.7']);
    expect(fs.statSync(path.join(dest, 'llama/libggml-copy.so')).nlink).toBe(2);
    expect(files).toEqual(await hashTree(dest));
  });

  it('refuses an entry whose name a folder made before already holds (RUNTIME_ARCHIVE_UNSAFE), leaving nothing', async () => {
    const file = write(
      'clash.tar.gz',
      tarGz([
        { path: 'llama/lib/x.so', data: 'x' },
        { path: 'llama/lib', data: 'a file where the folder is' },
      ]),
    );
    const dest = fresh();
    const e = await refusal(unpackArchive(file, dest, { asset: 'clash.tar.gz' }));
    expect(e.code).toBe('RUNTIME_ARCHIVE_UNSAFE');
    expect(e.params).toMatchObject({ entry: 'llama/lib' });
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('refuses a tarball that inflates more than 100 times its size (a gzip bomb), leaving nothing', async () => {
    const file = write('bomb.tar.gz', tarGz([{ path: 'zeros', data: Buffer.alloc(8 << 20) }]));
    expect(fs.statSync(file).size * 100).toBeLessThan(8 << 20);
    const dest = fresh();
    const e = await refusal(unpackArchive(file, dest, { asset: 'bomb.tar.gz' }));
    expect(e.code).toBe('RUNTIME_ARCHIVE_BAD');
    expect(String(e.params?.reason)).toMatch(/100 times/);
    expect(fs.existsSync(dest)).toBe(false);
  });

  it('refuses a deflated zip entry that inflates to more or fewer bytes than its central directory says', async () => {
    const src = path.join(work, 'zip-src');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'ggml.dll'), Buffer.alloc(64 << 10, 'ggml '));
    const good = path.join(work, 'deflated.zip');
    execFileSync('zip', ['-q', '-j', good, path.join(src, 'ggml.dll')]);
    const bytes = fs.readFileSync(good);
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(bytes.readUInt16LE(central + 10)).toBe(8); // deflated
    // A stored zip would be refused by yauzl itself (sizes must agree); a deflated one only shows it when inflated.
    for (const declared of [1000, (64 << 10) + 1000]) {
      const lying = Buffer.from(bytes);
      lying.writeUInt32LE(declared, central + 24);
      const dest = fresh();
      const e = await refusal(unpackArchive(write(`lie-${declared}.zip`, lying), dest, { asset: 'lie.zip' }));
      expect(e.code).toBe('RUNTIME_ARCHIVE_BAD');
      expect(fs.existsSync(dest)).toBe(false);
    }
    const ok = await unpackArchive(good, fresh(), { asset: 'deflated.zip' });
    expect(ok).toEqual([expect.objectContaining({ path: 'ggml.dll', size: 64 << 10 })]);
  });

  it('an abort stops the unpack with its reason and leaves nothing', async () => {
    const file = write('abort.tar.gz', tarGz([{ path: 'llama-server', data: fs.readFileSync(SERVER) }]));
    const ac = new AbortController();
    const reason = new Error('cancelled by the test');
    ac.abort(reason);
    const dest = fresh();
    await expect(unpackArchive(file, dest, { asset: 'abort.tar.gz', signal: ac.signal })).rejects.toBe(reason);
    expect(fs.existsSync(dest)).toBe(false);
    // And one that comes while bytes are being written.
    const later = new AbortController();
    const p = unpackArchive(file, dest, { asset: 'abort.tar.gz', signal: later.signal });
    setImmediate(() => later.abort(reason));
    await expect(p).rejects.toBe(reason);
    expect(fs.existsSync(dest)).toBe(false);
  });
});
