/**
 * `npm run dist -- --dir` as a developer runs it here: scripts/dist.mjs builds the app, stages the runtimes and runs
 * electron-builder with electron-builder.yml, packing a stand-in Electron (DEEPLOCAL_ELECTRON_DIST; no Electron binary
 * can be downloaded here). The test config only turns the fuses off (flipping them needs a real Electron binary) and
 * writes to a temp folder. Then the layout is checked: app.asar holds the built code and no dev files, the runtime
 * sits where the packaged app reads it (<resources>/runtimes/<id>/runtime.json), and the sizes are printed.
 * No network: electron-builder 26 packs `--dir` for Linux with Node only.
 */
import { listPackage, extractFile } from '@electron/asar';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { gatherRuntimes } from '../core/runtimes/sources';
import { RuntimeManifest } from '../shared/runtimes';
import { tmpDir } from './helpers';
import { makeStandInElectron } from './stand-in-electron';

const repoRoot = path.resolve(__dirname, '..', '..');
const llamaServer = inject('llamaServer');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
function sizeOf(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, e) => n + sizeOf(path.join(p, e)), 0);
}

/** A runtime folder as the runtime manager installs one: the files, then runtime.json naming each with its hash. */
function writeRuntime(
  dir: string,
  m: Pick<RuntimeManifest, 'id' | 'platform' | 'variant'>,
  files: Record<string, string>,
) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, src] of Object.entries(files)) fs.copyFileSync(src, path.join(dir, name));
  const manifest: RuntimeManifest = {
    schema: 1,
    ...m,
    source: 'release',
    tag: 'v0.5.0',
    commit: 'de3ff81',
    arch: 'x64',
    assets: [],
    files: Object.keys(files).map((name) => ({
      path: name,
      size: fs.statSync(path.join(dir, name)).size,
      sha256: sha256(path.join(dir, name)),
    })),
    serverPath: Object.keys(files)[0]!,
    installedAt: Date.now(),
  };
  fs.writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify(RuntimeManifest.parse(manifest)));
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'dist.mjs'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('packaging (npm run dist -- --dir, Linux x64, stand-in Electron)', () => {
  const work = tmpDir('dl-pack-');
  const out = path.join(work, 'out');
  const unpacked = path.join(out, 'linux-unpacked');
  const resources = path.join(unpacked, 'resources');
  let entries: string[] = [];

  beforeAll(async () => {
    const electronDist = await makeStandInElectron(
      path.join(work, 'electron'),
      pkg.devDependencies.electron.replace(/^\D*/, ''),
    );
    const runtimes = path.join(work, 'runtimes');
    writeRuntime(
      path.join(runtimes, 'v0.5.0-cpu'),
      { id: 'v0.5.0-cpu', platform: 'linux', variant: 'cpu' },
      {
        'llama-server': llamaServer,
      },
    );
    // Another OS's runtime in the same staging run must not end up in the Linux package.
    const exe = path.join(work, 'llama-server.exe');
    fs.writeFileSync(exe, 'MZ stand-in');
    writeRuntime(
      path.join(runtimes, 'v0.5.0-win-cpu'),
      { id: 'v0.5.0-cpu', platform: 'win32', variant: 'cpu' },
      {
        'llama-server.exe': exe,
      },
    );
    const config = path.join(work, 'electron-builder.test.yml');
    fs.writeFileSync(
      config,
      [
        `extends: ${JSON.stringify(path.join(repoRoot, 'electron-builder.yml'))}`,
        'electronFuses: null',
        'directories:',
        `  output: ${JSON.stringify(out)}`,
        '',
      ].join('\n'),
    );
    const started = Date.now();
    const r = await run(
      ['--dir', '--linux', '--x64', '--config', config, '--no-repo-runtimes', '--runtimes-from', runtimes],
      { DEEPLOCAL_ELECTRON_DIST: electronDist },
    );
    if (r.code !== 0) throw new Error(`dist failed (${r.code}):\n${r.output.slice(-4000)}`);
    console.log(`packed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    entries = listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((e) => e.replace(/\\/g, '/'));
  }, 170_000);

  it('is an Electron app folder: our executable, the Electron license kept', () => {
    expect(fs.statSync(path.join(unpacked, 'deeplocal')).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(unpacked, 'electron'))).toBe(false);
    expect(fs.existsSync(path.join(unpacked, 'LICENSE.electron.txt'))).toBe(true);
  });

  it('app.asar holds the built main process, preload and renderer, and the entry package.json points at', () => {
    for (const f of [
      '/package.json',
      '/dist/electron/main/main.cjs',
      '/dist/electron/preload/preload.cjs',
      '/dist/renderer/index.html',
    ])
      expect(entries).toContain(f);
    const packed = JSON.parse(extractFile(path.join(resources, 'app.asar'), 'package.json').toString());
    expect(entries).toContain(`/${packed.main}`);
    // Every package the bundled main process requires at run time is packed with it (systeminformation is resolved
    // by name for its worker thread).
    const main = extractFile(path.join(resources, 'app.asar'), packed.main).toString();
    const required = [...main.matchAll(/require\("([^".][^"]*)"\)/g)]
      .map((m) => m[1]!)
      .filter((id) => !id.startsWith('node:') && id !== 'electron')
      .map((id) => (id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]!));
    expect(required).toContain('zod');
    for (const dep of new Set([...required, 'systeminformation']))
      expect(entries, dep).toContain(`/node_modules/${dep}/package.json`);
  });

  it('app.asar holds no sources, tests, source maps, dev-only entries or dev dependencies', () => {
    const ours = entries.filter((e) => !e.startsWith('/node_modules/'));
    expect(ours.filter((e) => /\.(ts|tsx|map)$/.test(e) || /\.test\./.test(e))).toEqual([]);
    expect(ours.filter((e) => /^\/(electron|renderer\/src|scripts|e2e|resources|docs)\//.test(e))).toEqual([]);
    expect(ours.filter((e) => /cli\.mjs$|headless\.mjs$|\.build-stamp$/.test(e))).toEqual([]);
    expect(entries.some((e) => e.endsWith('.map'))).toBe(false);
    // @types/* come in as dependencies of packages the app uses (react-markdown → @types/hast); the rest must not.
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => !d.startsWith('@types/'));
    expect(devOnly.filter((d) => entries.includes(`/node_modules/${d}/package.json`))).toEqual([]);
  });

  it('the target platform’s runtime is staged as bundled-cpu, every file as its manifest says', () => {
    expect(fs.readdirSync(path.join(resources, 'runtimes'))).toEqual(['bundled-cpu']);
    const dir = path.join(resources, 'runtimes', 'bundled-cpu');
    const m = RuntimeManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'runtime.json'), 'utf8')));
    expect(m).toMatchObject({ id: 'bundled-cpu', source: 'bundled', platform: 'linux', arch: 'x64', tag: 'v0.5.0' });
    for (const f of m.files) {
      expect(fs.statSync(path.join(dir, f.path)).size).toBe(f.size);
      expect(sha256(path.join(dir, f.path))).toBe(f.sha256);
    }
    expect(fs.statSync(path.join(dir, m.serverPath)).mode & 0o111).not.toBe(0);
  });

  it('the core finds it from process.resourcesPath, as the packaged window passes it', async () => {
    const found = await gatherRuntimes({
      installed: async () => [],
      resourcesDirs: [resources],
      folders: [],
      platform: 'linux',
      arch: 'x64',
    });
    const server = path.join(resources, 'runtimes', 'bundled-cpu', 'llama-server');
    expect(found.map((r) => ({ id: r.id, source: r.source, server: r.server, removable: r.removable }))).toEqual([
      { id: 'bundled-cpu', source: 'bundled', server, removable: false },
    ]);
  });

  it('ships the resources the core reads beside app.asar, and the update feed', () => {
    // default_app.asar is Electron's own, kept by electron-builder from an unpacked electronDist (removed when it
    // downloads Electron); inert with the onlyLoadAppFromAsar fuse.
    expect(fs.readdirSync(resources).sort()).toEqual(
      [
        'app-update.yml',
        'app.asar',
        'backend-manifest.json',
        'catalog.json',
        'default_app.asar',
        'eval-texts',
        'runtimes',
      ].sort(),
    );
    // electron-updater's feed, from the first `publish` entry.
    expect(fs.readFileSync(path.join(resources, 'app-update.yml'), 'utf8')).toMatch(/provider: github/);
  });

  it('prints the sizes', () => {
    const asar = sizeOf(path.join(resources, 'app.asar'));
    const runtimes = sizeOf(path.join(resources, 'runtimes'));
    const total = sizeOf(unpacked);
    const ourCode = entries
      .filter((e) => e.startsWith('/dist/'))
      .reduce((n, e) => n + (fs.existsSync(path.join(repoRoot, e)) ? fs.statSync(path.join(repoRoot, e)).size : 0), 0);
    console.log(
      `linux-unpacked ${mib(total)} (stand-in Electron placeholders excluded: real Electron adds ~250 MiB): ` +
        `app.asar ${mib(asar)} (built code ${mib(ourCode)}, node_modules the rest), runtimes ${mib(runtimes)}`,
    );
    expect(asar).toBeGreaterThan(ourCode);
    expect(total).toBeGreaterThan(asar + runtimes);
  });
});
