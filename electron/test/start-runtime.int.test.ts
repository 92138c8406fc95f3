/**
 * `npm run serve` (scripts/start.mjs) on a machine with no llama.cpp runtime: resources holding only the pinned
 * manifest (no source build, no bundled runtime) and an empty data folder. With the release stand-in reachable it
 * fetches the official build for this machine through the runtime manager and the app starts on it; the next start
 * uses it without fetching again; with the releases unreachable it says so and builds from source instead.
 * On a machine with only source builds, a GPU variant whose toolchain is complete is built in the background (its
 * own process group, stopped with the app), and one that failed before is not tried again: one line says how.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildKey } from '../../scripts/build-llama-server.mjs';
import { toolchainFor } from '../../scripts/lib/llama-toolchain.mjs';
import { makeReleaseAssets } from '../../scripts/release-emulator/make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from '../../scripts/release-emulator/server.mjs';
import { pathWithoutGpuTools, tmpDir, waitUntil } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..');
const repoResources = inject('resourcesDir');
let emu: ReleaseEmulator;
let resources: string;
const dirs: string[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  const made = await makeReleaseAssets({ variants: ['cpu'] });
  emu = await startReleaseEmulator({
    tag: made.tag,
    assets: made.assets.map((a) => ({ name: a.name, path: a.path, sha256: a.sha256 })),
  });
  resources = tmpDir('dl-res-');
  fs.copyFileSync(path.join(repoResources, 'backend-manifest.json'), path.join(resources, 'backend-manifest.json'));
}, 300_000);

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
});

afterAll(async () => {
  await emu?.close();
  for (const d of [resources, ...dirs]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

async function serve(dataDir: string, endpoint: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'scripts/start.mjs'), '--headless', '--data-dir', dataDir],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        PATH: pathWithoutGpuTools(),
        DEEPLOCAL_SKIP_APP_BUILD: '1',
        DEEPLOCAL_RESOURCES: resources,
        DEEPLOCAL_RELEASE_ENDPOINT: endpoint,
        DEEPLOCAL_LLAMA_SERVER: '',
        DEEPLOCAL_BACKEND_VARIANT: '',
        DEEPLOCAL_TOKEN: '',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const ok = await waitUntil(() => /DeepLocal ready: /.test(out.stdout) || child.exitCode !== null, 120_000);
  if (!ok || child.exitCode !== null) throw new Error(`serve did not start:\n${out.stdout}\n${out.stderr}`);
  const url = new URL(/DeepLocal ready: (\S+)/.exec(out.stdout)![1]!);
  const info = async () => {
    const res = await fetch(`${url.origin}/api/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${url.searchParams.get('token')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    return (await res.json()) as { backend: { found: boolean; path: string; variant: string | null } };
  };
  return { child, out, info };
}

const downloads = () => emu.stats.requests.filter((r) => r.path.includes('/download/')).length;

describe('npm start with no runtime', () => {
  it('fetches the official build for this machine, starts on it, and the next start uses it as is', async () => {
    const dataDir = tmpDir('dl-start-');
    dirs.push(dataDir);
    const first = await serve(dataDir, emu.url);
    const lines = first.out.stderr.split('\n');
    expect(lines).toContain('DeepLocal: no llama.cpp runtime here yet; fetching the official build for this machine');
    expect(first.out.stderr).toMatch(/^100\.0% .* ETA 0:00$/m);
    expect(first.out.stderr).toContain('Installed v0.5.0-cpu (verified and checked)');
    const backend = (await first.info()).backend;
    expect(backend).toMatchObject({ found: true, variant: 'cpu' });
    expect(backend.path.startsWith(path.join(dataDir, 'runtimes', 'v0.5.0-cpu') + path.sep)).toBe(true);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));

    const fetched = downloads();
    expect(fetched).toBeGreaterThan(0);
    const second = await serve(dataDir, emu.url);
    expect(second.out.stderr).not.toContain('fetching');
    expect(second.out.stderr).not.toContain('building llama-server');
    expect(downloads()).toBe(fetched);
    expect((await second.info()).backend.path).toBe(backend.path);
  });

  it('releases unreachable: says so in one line and goes to the source build (cached here), nothing from the feed', async () => {
    const dataDir = tmpDir('dl-start-');
    dirs.push(dataDir);
    const s = await serve(dataDir, 'http://127.0.0.1:9');
    const why = s.out.stderr.split('\n').filter((l) => /cannot be reached/.test(l));
    expect(why).toEqual([
      expect.stringMatching(
        /^DeepLocal: the llama\.cpp releases cannot be reached; building llama-server from source instead \(Cannot reach the llama\.cpp release feed at http:\/\/127\.0\.0\.1:9 .*\)$/,
      ),
    ]);
    expect(fs.existsSync(path.join(dataDir, 'runtimes', 'v0.5.0-cpu'))).toBe(false);
  });
  describe('a machine with only source builds, wanting Vulkan', () => {
    const vulkan = toolchainFor('vulkan');
    // Resources with only the repo's CPU source build (CI builds the Vulkan one too, which would simply be used); a
    // cache folder of its own, so nothing here touches the real one.
    let cpuOnly = '';
    beforeAll(() => {
      cpuOnly = tmpDir('dl-res-cpu-');
      dirs.push(cpuOnly);
      fs.copyFileSync(path.join(repoResources, 'backend-manifest.json'), path.join(cpuOnly, 'backend-manifest.json'));
      const bin = `${process.platform}-${process.arch}-cpu`;
      fs.cpSync(path.join(repoResources, 'bin', bin), path.join(cpuOnly, 'bin', bin), { recursive: true });
    });
    const env = (cache: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      DEEPLOCAL_RESOURCES: cpuOnly,
      DEEPLOCAL_BACKEND_VARIANT: 'vulkan',
      DEEPLOCAL_CACHE_DIR: cache,
    });
    /** Processes whose environment names `cache` (Linux: /proc): the background build and whatever it started. */
    const processesWith = (cache: string) =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes(`DEEPLOCAL_CACHE_DIR=${cache}\0`);
          } catch {
            return false;
          }
        });

    it.runIf(vulkan.complete && process.platform === 'linux')(
      'its toolchain is complete: built in the background while the app starts on the CPU build, stopped with the app',
      async () => {
        const cache = tmpDir('dl-cache-');
        const dataDir = tmpDir('dl-start-');
        dirs.push(cache, dataDir);
        const s = await serve(dataDir, 'http://127.0.0.1:9', env(cache));
        const lines = s.out.stderr.split('\n');
        expect(lines).toContain(
          'DeepLocal: building the vulkan variant from source in the background; the app starts on the CPU build meanwhile (restart DeepLocal when it is done)',
        );
        const log = path.join(cache, 'logs', 'build-vulkan.log');
        expect(lines).toContain(`DeepLocal: the vulkan build's output goes to ${log}`);
        expect((await s.info()).backend).toMatchObject({ found: true, variant: 'cpu' });
        // start.mjs, headless and the build carry the variable; the build's group is the part that outlives a crash.
        expect(processesWith(cache).length).toBeGreaterThan(0);
        s.child.kill('SIGTERM');
        await new Promise((r) => s.child.once('exit', r));
        expect(s.out.stderr).toContain('DeepLocal: stopped the background vulkan build; the next start continues it');
        expect(await waitUntil(() => processesWith(cache).length === 0, 10_000)).toBe(true);
      },
    );

    it.runIf(vulkan.complete)(
      'a Vulkan build that failed before: not started again, one line says how to retry',
      async () => {
        const cache = tmpDir('dl-cache-');
        const dataDir = tmpDir('dl-start-');
        dirs.push(cache, dataDir);
        const key = buildKey('vulkan', vulkan);
        fs.mkdirSync(path.join(cache, 'failed'));
        fs.writeFileSync(
          path.join(cache, 'failed', `${key}.json`),
          JSON.stringify({
            key,
            variant: 'vulkan',
            failedAt: '2025-06-01T10:00:00.000Z',
            error: ['FAILED: ggml-vulkan-shaders.cpp', 'glslc: error: unknown extension GL_KHR_cooperative_matrix'],
          }),
        );
        const s = await serve(dataDir, 'http://127.0.0.1:9', env(cache));
        expect(s.out.stderr.split('\n')).toContain(
          'DeepLocal: the vulkan build failed on 2025-06-01T10:00:00.000Z (glslc: error: unknown extension GL_KHR_cooperative_matrix); not retrying on every start. To retry: npm run setup:backend -- --variant vulkan --retry',
        );
        expect(s.out.stderr).not.toContain('in the background');
        expect(fs.existsSync(path.join(cache, 'logs'))).toBe(false);
      },
    );

    it.runIf(!vulkan.complete)('its toolchain is incomplete: says what is missing, builds nothing', async () => {
      const cache = tmpDir('dl-cache-');
      const dataDir = tmpDir('dl-start-');
      dirs.push(cache, dataDir);
      const s = await serve(dataDir, 'http://127.0.0.1:9', env(cache));
      expect(s.out.stderr).toContain(
        `DeepLocal: not building the vulkan variant: its toolchain is incomplete (missing ${vulkan.missing.join(', ')})`,
      );
      expect(fs.existsSync(path.join(cache, 'logs'))).toBe(false);
    });
  });
});
