/**
 * What `npm start` counts as "a runtime is here" (on real folders): a data-folder runtime only with a runtime.json
 * whose llama-server is there and inside its folder (staging folders and escaping manifests do not count), source
 * builds with or without runtime.json, bundled runtimes, user folders; and where the data folder comes from.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirFrom, gatherStartState, installedRuntimes } from './start-runtime.mjs';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-start-unit-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const exe = process.platform === 'win32' ? 'llama-server.exe' : 'llama-server';

function runtimeDir(dir: string, manifest: object | null, server = true) {
  fs.mkdirSync(dir, { recursive: true });
  if (server) fs.writeFileSync(path.join(dir, exe), '');
  if (manifest) fs.writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify(manifest));
}
const manifest = (id: string, variant: string, serverPath = exe) => ({ id, variant, serverPath });

describe('installedRuntimes', () => {
  it('finds each kind, and only real ones', () => {
    const data = tmp();
    const res = tmp();
    const user = tmp();
    const plat = `${process.platform}-${process.arch}`;
    runtimeDir(path.join(data, 'runtimes', 'v0.5.0-vulkan'), manifest('v0.5.0-vulkan', 'vulkan'));
    runtimeDir(path.join(data, 'runtimes', '.staging-v0.5.0-cpu-ab12'), manifest('v0.5.0-cpu', 'cpu'));
    runtimeDir(path.join(data, 'runtimes', 'no-manifest'), null);
    runtimeDir(path.join(data, 'runtimes', 'server-missing'), manifest('server-missing', 'cpu'), false);
    runtimeDir(path.join(data, 'runtimes', 'escapes'), manifest('escapes', 'cpu', `../v0.5.0-vulkan/${exe}`));
    runtimeDir(path.join(res, 'runtimes', 'bundled-cpu'), manifest('bundled-cpu', 'cpu'));
    runtimeDir(path.join(res, 'bin', `${plat}-cpu`), manifest('source-de3ff81-cpu', 'cpu'));
    runtimeDir(path.join(res, 'bin', `${plat}-vulkan`), null);
    runtimeDir(path.join(res, 'bin', 'other-os-x99-cpu'), null);
    runtimeDir(user, null);
    const found = installedRuntimes({ dataDir: data, resourcesDir: res, settings: { runtime: { folders: [user] } } });
    expect(found).toEqual([
      { id: 'v0.5.0-vulkan', variant: 'vulkan', source: 'release' },
      { id: 'bundled-cpu', variant: 'cpu', source: 'bundled' },
      { id: 'source-de3ff81-cpu', variant: 'cpu', source: 'source' },
      { id: 'source-vulkan', variant: 'vulkan', source: 'source' },
      { id: `folder:${user}`, variant: 'unknown', source: 'folder' },
    ]);
  });

  it('nothing at all: an empty list (npm start then fetches)', () => {
    expect(installedRuntimes({ dataDir: tmp(), resourcesDir: tmp(), settings: null })).toEqual([]);
  });
});

describe('gatherStartState', () => {
  it('the override in settings wins and no build facts are probed', () => {
    const data = tmp();
    fs.writeFileSync(path.join(data, 'settings.json'), JSON.stringify({ llamaServerPath: '/opt/llama-server' }));
    const s = gatherStartState({ dataDir: data, resourcesDir: tmp(), env: {} });
    expect(s).toMatchObject({ skip: false, override: '/opt/llama-server', installed: [], fetch: null });
    expect(s.build.wantedBuilt).toBe(true);
  });

  it('DEEPLOCAL_SKIP_BACKEND_BUILD and DEEPLOCAL_LLAMA_SERVER are read from the environment', () => {
    const s = gatherStartState({
      dataDir: tmp(),
      resourcesDir: tmp(),
      env: { DEEPLOCAL_SKIP_BACKEND_BUILD: '1', DEEPLOCAL_LLAMA_SERVER: '/x/llama-server' },
    });
    expect(s).toMatchObject({ skip: true, override: '/x/llama-server' });
  });
});

describe('dataDirFrom', () => {
  it.each<[string, string[], NodeJS.ProcessEnv, string]>([
    ['--data-dir DIR', ['--model', 'm.gguf', '--data-dir', '/a/b'], {}, '/a/b'],
    ['--data-dir=DIR', ['--data-dir=/c/d'], { DEEPLOCAL_DATA_DIR: '/x' }, '/c/d'],
    ['DEEPLOCAL_DATA_DIR', [], { DEEPLOCAL_DATA_DIR: '/e/f' }, '/e/f'],
  ])('%s', (_why, argv, env, want) => {
    expect(dataDirFrom(argv, env)).toBe(path.resolve(want));
  });

  it('otherwise the default folder, as electron/core/paths.ts has it', async () => {
    const { defaultDataDir } = await import('../../electron/core/paths');
    expect(dataDirFrom([], {})).toBe(path.resolve(defaultDataDir(process.platform, {})));
  });
});
