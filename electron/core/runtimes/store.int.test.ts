/**
 * RuntimeStore on a real folder: only folders with a valid runtime.json are runtimes, ids cannot leave runtimes/,
 * commits replace whole, and cleanStale removes what interrupted installs left (never an install in progress).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../shared/runtimes';
import { codeOf } from '../../test/error-codes';
import { tmpDir } from '../../test/helpers';
import { hashTree, RuntimeStore } from './store';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const dataDir = () => {
  const d = tmpDir('dl-store-');
  dirs.push(d);
  return d;
};

async function manifestFor(dir: string, id: string): Promise<RuntimeManifest> {
  return {
    schema: 1,
    id,
    variant: 'cpu',
    source: 'release',
    tag: 'b1',
    commit: null,
    platform: 'linux',
    arch: 'x64',
    assets: [],
    files: await hashTree(dir),
    serverPath: 'llama-server',
    installedAt: 1,
  };
}

/** Installs `id` through a staging folder, as installRelease does. */
async function install(store: RuntimeStore, id: string, server = 'server bytes'): Promise<string> {
  const staging = await store.newStaging(id);
  fs.writeFileSync(path.join(staging, 'llama-server'), server);
  fs.mkdirSync(path.join(staging, 'lib'));
  fs.writeFileSync(path.join(staging, 'lib', 'libggml.so'), 'lib');
  const rt = await store.commitStaging(staging, await manifestFor(staging, id));
  return rt.dir;
}

describe('RuntimeStore', () => {
  it('lists committed runtimes; folders without a valid runtime.json are stale, with the reason', async () => {
    const d = dataDir();
    const store = new RuntimeStore(d);
    await install(store, 'b1-cpu');
    const root = store.root;
    fs.mkdirSync(path.join(root, 'no-manifest'));
    fs.mkdirSync(path.join(root, 'bad-json'));
    fs.writeFileSync(path.join(root, 'bad-json', 'runtime.json'), '{');
    fs.mkdirSync(path.join(root, 'wrong-id'));
    fs.writeFileSync(
      path.join(root, 'wrong-id', 'runtime.json'),
      JSON.stringify(await manifestFor(path.join(root, 'b1-cpu'), 'b1-cpu')),
    );
    fs.mkdirSync(path.join(root, 'escaping'));
    fs.writeFileSync(
      path.join(root, 'escaping', 'runtime.json'),
      JSON.stringify({ ...(await manifestFor(path.join(root, 'b1-cpu'), 'escaping')), serverPath: '../../bin/sh' }),
    );
    fs.symlinkSync(path.join(root, 'b1-cpu'), path.join(root, 'linked'));
    fs.mkdirSync(path.join(root, '.staging-x-1'));

    const { runtimes, stale } = await store.scan();
    expect(runtimes.map((r) => [r.id, r.server])).toEqual([['b1-cpu', path.join(root, 'b1-cpu', 'llama-server')]]);
    expect(Object.fromEntries(stale.map((s) => [s.name, s.reason]))).toEqual({
      'bad-json': 'runtime.json is not JSON',
      escaping: 'runtime.json: unsafe serverPath "../../bin/sh"',
      linked: 'a link, not a folder',
      'no-manifest': 'no readable runtime.json (ENOENT)',
      'wrong-id': 'runtime.json: its id "b1-cpu" is not the folder name',
    });
    expect(await store.read('b1-cpu')).toMatchObject({ id: 'b1-cpu', tag: 'b1' });
    expect(await store.read('no-manifest')).toBeNull();
    expect(await store.read('../b1-cpu')).toBeNull();
  });

  it('verifyFiles finds a changed or missing file', async () => {
    const store = new RuntimeStore(dataDir());
    const dir = await install(store, 'b1-cpu');
    expect(await store.verifyFiles('b1-cpu')).toBeNull();
    fs.writeFileSync(path.join(dir, 'lib', 'libggml.so'), 'LIB');
    expect(await store.verifyFiles('b1-cpu')).toMatchObject({
      code: 'FILES_CHANGED',
      params: { file: 'lib/libggml.so' },
    });
    fs.writeFileSync(path.join(dir, 'lib', 'libggml.so'), 'lib');
    expect(await store.verifyFiles('b1-cpu')).toBeNull();
    fs.rmSync(path.join(dir, 'llama-server'));
    expect(await store.verifyFiles('b1-cpu')).toMatchObject({
      code: 'FILES_CHANGED',
      params: { file: 'llama-server' },
    });
  });

  it('remove deletes a runtime whole and refuses ids that are not runtimes here', async () => {
    const d = dataDir();
    const store = new RuntimeStore(d);
    await install(store, 'b1-cpu');
    const outside = path.join(d, 'precious');
    fs.mkdirSync(outside);
    expect(await codeOf(store.remove('../precious'))).toBe('RUNTIME_NOT_FOUND');
    expect(await codeOf(store.remove('/tmp'))).toBe('RUNTIME_NOT_FOUND');
    expect(await codeOf(store.remove('.downloads'))).toBe('RUNTIME_NOT_FOUND');
    expect(await codeOf(store.remove('b2-cpu'))).toBe('RUNTIME_NOT_FOUND');
    expect(fs.existsSync(outside)).toBe(true);
    await store.remove('b1-cpu');
    expect(fs.readdirSync(store.root)).toEqual([]);
  });

  it('commit over an installed runtime replaces it whole (runtime.json last, old one removed)', async () => {
    const store = new RuntimeStore(dataDir());
    const dir = await install(store, 'b1-cpu', 'old');
    fs.writeFileSync(path.join(dir, 'only-in-old'), 'x');
    await install(store, 'b1-cpu', 'new');
    expect(fs.readFileSync(path.join(dir, 'llama-server'), 'utf8')).toBe('new');
    expect(fs.existsSync(path.join(dir, 'only-in-old'))).toBe(false);
    expect(fs.readdirSync(store.root)).toEqual(['b1-cpu']);
    expect(await store.verifyFiles('b1-cpu')).toBeNull();
  });

  it('commit refuses a folder that is not one of its staging folders and a manifest that leaves the folder', async () => {
    const store = new RuntimeStore(dataDir());
    const staging = await store.newStaging('b1-cpu');
    await expect(
      store.commitStaging(path.join(store.root, 'elsewhere'), await manifestFor(staging, 'b1-cpu')),
    ).rejects.toThrow('not a staging folder');
    const m = { ...(await manifestFor(staging, 'b1-cpu')), serverPath: '../x' };
    await expect(store.commitStaging(staging, m)).rejects.toThrow('unsafe serverPath');
    expect(fs.existsSync(path.join(store.root, 'b1-cpu'))).toBe(false);
  });

  it('cleanStale removes old leftovers, keeps young ones, installs in progress, runtimes and downloads', async () => {
    const d = dataDir();
    let now = Date.now();
    const store = new RuntimeStore(d, () => now);
    await install(store, 'b1-cpu');
    const active = await store.newStaging('b2-cpu');
    for (const n of ['.staging-b3-cpu-dead', '.old-b1-cpu-dead', '.removing-b0-cpu-dead', 'half-copied'])
      fs.mkdirSync(path.join(store.root, n));
    fs.mkdirSync(store.downloads);
    fs.writeFileSync(path.join(store.downloads, 'x.tar.gz.partial'), 'x');

    expect(await store.cleanStale()).toEqual([]);
    now += 61_000;
    expect((await store.cleanStale()).sort()).toEqual([
      '.old-b1-cpu-dead',
      '.removing-b0-cpu-dead',
      '.staging-b3-cpu-dead',
      'half-copied',
    ]);
    expect(fs.readdirSync(store.root).sort()).toEqual(['.downloads', path.basename(active), 'b1-cpu'].sort());
    await store.discardStaging(active);
    expect(fs.existsSync(active)).toBe(false);
  });
});
