/**
 * `npm run cli -- runtime …` as users run it (the bundled dist/electron/cli.mjs in its own process) against the
 * release stand-in (DEEPLOCAL_RELEASE_ENDPOINT), with resources holding only the pinned manifest so every runtime
 * comes from the stand-in: get auto with progress and a --json result, ls marking the active one, a CUDA runtime
 * that sees no GPU here explained as a fallback, use by variant name and back to auto, check listing what each
 * runtime sees, and an unreachable feed answered with RELEASE_UNREACHABLE (what npm start builds from source on).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeReleaseAssets } from '../../scripts/release-emulator/make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from '../../scripts/release-emulator/server.mjs';
import { fakeGpuEnv, pathWithoutGpuTools, tmpDir } from './helpers';

const cli = path.resolve(__dirname, '../../dist/electron/cli.mjs');
const repoResources = inject('resourcesDir');
let emu: ReleaseEmulator;
let resources: string;
let dataDir: string;

beforeAll(async () => {
  const made = await makeReleaseAssets({ variants: ['cpu', 'cuda-12'] });
  // An older release whose CUDA 12 llama-server needs a libcudart that is not here (exits at start).
  const older = await makeReleaseAssets({
    tag: 'v0.4.9',
    variants: ['cpu', 'cuda-12'],
    broken: { 'cuda-12': 'exits-at-start' },
  });
  const spec = (a: { name: string; path: string; sha256: string }) => ({
    name: a.name,
    path: a.path,
    sha256: a.sha256,
  });
  emu = await startReleaseEmulator({
    releases: [
      { tag: 'v0.4.9', assets: older.assets.map(spec), publishedAt: '2026-01-01T00:00:00Z' },
      { tag: made.tag, assets: made.assets.map(spec), publishedAt: '2026-02-01T00:00:00Z' },
    ],
  });
  resources = tmpDir('dl-res-');
  fs.copyFileSync(path.join(repoResources, 'backend-manifest.json'), path.join(resources, 'backend-manifest.json'));
  dataDir = tmpDir('dl-cli-rt-');
}, 300_000);

afterAll(async () => {
  await emu?.close();
  for (const d of [resources, dataDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}, dir = dataDir) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'runtime', ...args, '--data-dir', dir], {
      env: {
        // No GPU tool on PATH: the chooser sees no GPU here, whatever this machine has.
        PATH: pathWithoutGpuTools(),
        HOME: process.env.HOME ?? '',
        LANG: 'C.UTF-8',
        DEEPLOCAL_RESOURCES: resources,
        DEEPLOCAL_RELEASE_ENDPOINT: emu.url,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cli runtime', () => {
  it('ls before anything is installed: none, and what the release offers with the command to get it', async () => {
    const r = await run(['ls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Active: none$/m);
    expect(r.stdout).toMatch(/Installed \(\* active\):\n {2}none/);
    expect(r.stdout).toContain(`Available in v0.5.0 from ${emu.url}:`);
    expect(r.stdout).toMatch(
      /^CPU +\S+ MB +no \(npm run cli -- runtime get cpu\) +llama-v0\.5\.0-bin-ubuntu-x64\.tar\.gz$/m,
    );
    expect(r.stdout).toMatch(/^CUDA 12 .*cudart-llama-v0\.5\.0-bin-ubuntu-cuda-12\.8-x64\.tar\.gz$/m);
  });

  it('get auto: the chooser’s pick for this machine, progress with speed and ETA, a --json result line', async () => {
    // A link slow enough for the speed meter to measure (a loopback download ends within its first half second).
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 8_000_000, file: 'llama-v0.5.0-bin-ubuntu-x64.tar.gz' }]);
    const r = await run(['get', 'auto', '--json']).finally(() => emu.setFaults([]));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ ok: true, id: 'v0.5.0-cpu', variant: 'cpu', active: 'v0.5.0-cpu' });
    expect(r.stderr).toMatch(/^For this computer: CPU \(no GPU was found/m);
    // The archive packs this machine's CPU build (scripts/release-emulator): its size follows the compiler's flags.
    expect(r.stderr).toMatch(/^100\.0% {2}([\d.]+ MB) \/ \1 {2}[\d.]+ [kM]?B\/s {2}ETA 0:00$/m);
    for (const phase of ['Verifying (SHA-256)', 'Unpacking', 'Checking the devices it lists'])
      expect(r.stderr).toContain(phase);
    expect(fs.existsSync(path.join(dataDir, 'runtimes', 'v0.5.0-cpu', 'runtime.json'))).toBe(true);
  });

  it('a CUDA runtime that lists no GPU here: installed, then auto falls back and ls says why', async () => {
    const got = await run(['get', 'cuda-12']);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^ {2}fell back from v0\.5\.0-cuda-12 \(CUDA 12\): sees no GPU$/m);
    const ls = await run(['ls']);
    expect(ls.stdout).toMatch(/^Active: v0\.5\.0-cpu \(CPU, release\)$/m);
    expect(ls.stdout).toMatch(/^\* +v0\.5\.0-cpu +CPU +release +v0\.5\.0 +ok, CPU only /m);
    expect(ls.stdout).toMatch(/^ +v0\.5\.0-cuda-12 +CUDA 12 +release +v0\.5\.0 +failed: sees no GPU /m);
  });

  it('use by variant name, then back to auto; an uninstalled variant says how to get it', async () => {
    const use = await run(['use', 'cuda-12']);
    expect(use.code).toBe(0);
    expect(use.stdout).toMatch(/^Active: v0\.5\.0-cuda-12 \(CUDA 12, release\)$/m);
    expect(use.stdout).toContain('chosen in settings: v0.5.0-cuda-12');
    const settings = JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8'));
    expect(settings.runtime.active).toBe('v0.5.0-cuda-12');
    const missing = await run(['use', 'vulkan']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No Vulkan runtime is installed. Get it with: npm run cli -- runtime get vulkan');
    const auto = await run(['use', 'auto']);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toMatch(/^Active: v0\.5\.0-cpu/m);
  });

  it('check: every runtime’s device check, what each lists', async () => {
    const r = await run(['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\* v0\.5\.0-cpu \(CPU, release\): ok, CPU only$/m);
    expect(r.stdout).toMatch(/^ {2}v0\.5\.0-cuda-12 \(CUDA 12, release\): failed: sees no GPU$/m);
  });

  it('an unreachable release feed: exit 1, RELEASE_UNREACHABLE in the --json line, nothing installed', async () => {
    const before = fs.readdirSync(path.join(dataDir, 'runtimes')).sort();
    const r = await run(['get', 'auto', '--json'], { DEEPLOCAL_RELEASE_ENDPOINT: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout.trim()) as { ok: boolean; code: string; message: string };
    expect(line).toMatchObject({ ok: false, code: 'RELEASE_UNREACHABLE' });
    expect(line.message).toContain('http://127.0.0.1:9');
    expect(fs.readdirSync(path.join(dataDir, 'runtimes')).sort()).toEqual(before);
  });

  it('get and use are refused while the app runs on the data folder (they write it)', async () => {
    const { acquireDataDirLock } = await import('../core/lock/data-dir-lock');
    const lock = await acquireDataDirLock(dataDir, { shell: 'browser' });
    try {
      const r = await run(['use', 'auto']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`DeepLocal: DeepLocal is already running with the folder ${dataDir}`);
      const ls = await run(['ls']);
      expect(ls.code).toBe(0);
    } finally {
      await lock.release();
    }
  });

  it('get auto with an NVIDIA GPU: CUDA 12 first; its llama-server misses libcudart, so it is removed and the CPU build used, said in one line', async () => {
    const dir = tmpDir('dl-cli-rt-');
    try {
      const gpu = fakeGpuEnv('one-gpu');
      const r = await run(
        ['get', 'auto', '--tag', 'v0.4.9', '--json'],
        { PATH: gpu.env.PATH, FAKE_NVIDIA_SMI_PROFILE: 'one-gpu', FAKE_NVIDIA_SMI_STATE: gpu.stateFile },
        dir,
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^For this computer: CUDA 12 \(driver [\d.]+ is older than 580/m);
      expect(r.stderr).toMatch(
        /^CUDA 12 build: The cuda-12 runtime does not work on this computer: libcudart\.so\.12 missing — trying CPU$/m,
      );
      expect(JSON.parse(r.stdout.trim())).toEqual({ ok: true, id: 'v0.4.9-cpu', variant: 'cpu', active: 'v0.4.9-cpu' });
      expect(fs.readdirSync(path.join(dir, 'runtimes')).filter((n) => !n.startsWith('.'))).toEqual(['v0.4.9-cpu']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
