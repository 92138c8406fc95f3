/**
 * The runtime manager end to end, for real: the release stand-in (scripts/release-emulator, GitHub-shaped API and
 * downloads made from our own builds), the real downloader, archive unpacking, the real llama-server's
 * --list-devices, the backend starting the chosen runtime, and one chat completion over HTTP. Faulty assets must be
 * refused and leave nothing behind; a "CUDA" runtime that sees no GPU must fall back and say why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeReleaseAssets, type MadeAsset } from '../../../scripts/release-emulator/make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from '../../../scripts/release-emulator/server.mjs';
import type { RuntimeJob } from '../../shared/runtimes';
import {
  fakeGpuEnv,
  pathWithoutGpuTools,
  startApp,
  tmpDir,
  waitForStatus,
  type AppUnderTest,
} from '../../test/helpers';

const repoResources = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const direct = { transport: 'direct' as const };
const TAG = 'v0.5.0';
const BROKEN_TAG = 'v0.4.9';

let emu: ReleaseEmulator;
let good: MadeAsset[];
let broken: MadeAsset[];
/** Resources with only the pinned manifest: no source build, so every runtime here comes from the stand-in. */
let resources: string;
let app: AppUnderTest | null = null;

const spec = (a: MadeAsset) => ({ name: a.name, path: a.path, sha256: a.sha256 });

beforeAll(async () => {
  good = (await makeReleaseAssets({ tag: TAG, variants: ['cpu', 'cuda-12'] })).assets;
  broken = (
    await makeReleaseAssets({
      tag: BROKEN_TAG,
      variants: ['cpu', 'cuda-12'],
      broken: { cpu: 'traversal', 'cuda-12': 'exits-at-start' },
    })
  ).assets;
  emu = await startReleaseEmulator({
    releases: [
      { tag: BROKEN_TAG, assets: broken.map(spec), publishedAt: '2026-01-01T00:00:00Z' },
      { tag: TAG, assets: good.map(spec), publishedAt: '2026-02-01T00:00:00Z' },
    ],
  });
  resources = tmpDir('dl-res-');
  fs.copyFileSync(path.join(repoResources, 'backend-manifest.json'), path.join(resources, 'backend-manifest.json'));
}, 300_000);

afterAll(async () => {
  await emu?.close();
  fs.rmSync(resources, { recursive: true, force: true });
});

afterEach(async () => {
  await app?.close();
  app = null;
  emu.clearFaults();
});

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  ...process.env,
  PATH: pathWithoutGpuTools(),
  DEEPLOCAL_RELEASE_ENDPOINT: emu.url,
  ...extra,
});

async function getRuntime(a: AppUnderTest, variant: 'cpu' | 'cuda-12', tag?: string) {
  const job = await a.core.handlers['runtimes.get']({ variant, ...(tag ? { tag } : {}) }, direct);
  return a.core.runtimes.manager.waitJob(job.id);
}

/** What is in <dataDir>/runtimes besides runtime folders we expect (staging, removing, partial downloads). */
function leftovers(a: AppUnderTest, keep: string[] = []): string[] {
  const root = path.join(a.dataDir, 'runtimes');
  if (!fs.existsSync(root)) return [];
  const top = fs.readdirSync(root).filter((n) => n !== '.downloads' && !keep.includes(n));
  const downloads = fs.existsSync(path.join(root, '.downloads')) ? fs.readdirSync(path.join(root, '.downloads')) : [];
  return [...top, ...downloads.map((n) => `.downloads/${n}`)];
}

describe('runtime manager with the release stand-in', () => {
  it('get → verify → unpack → check → use → the backend runs a model → one chat completion', async () => {
    app = await startApp(resources, { env: env() });
    const before = await app.core.handlers['runtimes.list']({}, direct);
    expect(before.installed).toEqual([]);
    expect(before.selection.active).toBeNull();
    expect(before.pinnedTag).toBe(TAG);
    expect(before.releaseEndpoint).toBe(emu.url);
    expect((await app.core.handlers['app.info']({}, direct)).backend.found).toBe(false);

    const available = await app.core.handlers['runtimes.available']({}, direct);
    expect(available.runtimes.map((r) => r.variant)).toEqual(expect.arrayContaining(['cpu', 'cuda-12']));

    const progress: RuntimeJob[] = [];
    const off = app.core.bus.on('runtimes.progress', (j) => progress.push(j));
    const done = await getRuntime(app, 'cpu');
    off();
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ phase: 'done', runtimeId: `${TAG}-cpu`, variant: 'cpu', tag: TAG });
    const phases = progress.map((j) => j.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['resolve', 'download', 'verify', 'unpack', 'check', 'done']);
    const total = good.find((a) => a.variant === 'cpu')!.size;
    expect(progress.find((j) => j.phase === 'download' && j.totalBytes !== null)?.totalBytes).toBe(total);
    expect(progress.at(-1)!.receivedBytes).toBe(total);

    const sel = await app.core.handlers['runtimes.use']({ id: `${TAG}-cpu` }, direct);
    expect(sel.active).toMatchObject({ id: `${TAG}-cpu`, source: 'release', tag: TAG, active: true });
    expect(sel.active!.lastCheck).toMatchObject({ ok: true, devices: [] });
    expect(sel.summary).toMatch(/^Using CPU \(v0\.5\.0-cpu\) on the CPU \(chosen in Settings\)$/);
    const info = await app.core.handlers['app.info']({}, direct);
    expect(info.backend).toEqual({
      found: true,
      path: path.join(app.dataDir, 'runtimes', `${TAG}-cpu`, 'llama-server'),
      variant: 'cpu',
    });
    expect(leftovers(app, [`${TAG}-cpu`])).toEqual([]);

    await app.core.handlers['backend.start']({ modelPath: tinyModel }, direct);
    await waitForStatus(app.core, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
    expect(app.core.backend.status().state).toBe('ready');
    const res = await fetch(`${app.http.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content?: string; reasoning_content?: string } }[] };
    const msg = body.choices[0]!.message;
    expect(`${msg.content ?? ''}${msg.reasoning_content ?? ''}`.length).toBeGreaterThan(0);

    // The runtime the backend runs on cannot be removed meanwhile.
    const inUse = await app.core.handlers['runtimes.remove']({ id: `${TAG}-cpu` }, direct).catch((e: unknown) => e);
    expect(inUse).toMatchObject({ code: 'RUNTIME_IN_USE' });
    await app.core.handlers['backend.stop']({}, direct);
    expect(await app.core.handlers['runtimes.remove']({ id: `${TAG}-cpu` }, direct)).toEqual({ removed: true });
    expect(fs.existsSync(path.join(app.dataDir, 'runtimes', `${TAG}-cpu`))).toBe(false);
    expect((await app.core.settings.get()).runtime.active).toBe('auto');
  });

  it.each([
    ['a digest that does not match', 'cpu', TAG, 'digest-mismatch', 'RUNTIME_DIGEST_MISMATCH'],
    ['a truncated asset (fewer bytes than announced)', 'cpu', TAG, 'truncated', 'DOWNLOAD_SIZE_MISMATCH'],
    ['an archive with a ../ entry', 'cpu', BROKEN_TAG, null, 'RUNTIME_ARCHIVE_UNSAFE'],
    ['a llama-server that exits at start (missing library)', 'cuda-12', BROKEN_TAG, null, 'RUNTIME_CHECK_FAILED'],
  ] as const)('refuses %s and leaves nothing behind', async (_name, variant, tag, fault, code) => {
    app = await startApp(resources, { env: env() });
    const asset = (tag === TAG ? good : broken).find((a) => a.variant === variant)!;
    if (fault === 'truncated')
      emu.setFaults([{ kind: 'truncated', asset: asset.name, at: Math.floor(asset.size / 2) }]);
    else if (fault) emu.setFaults([{ kind: fault, asset: asset.name }]);
    const job = await getRuntime(app, variant, tag);
    expect(job.phase).toBe('failed');
    expect(job.error?.code).toBe(code);
    if (code === 'RUNTIME_CHECK_FAILED') expect(job.error?.message).toMatch(/libcudart\.so\.12/);
    expect(leftovers(app)).toEqual([]);
    expect(fs.existsSync(path.join(app.dataDir, 'llama-escape.txt'))).toBe(false);
    expect(fs.existsSync(path.join(app.dataDir, 'runtimes', 'llama-escape.txt'))).toBe(false);
    expect((await app.core.handlers['runtimes.list']({}, direct)).installed).toEqual([]);
  });

  it('a CUDA runtime that lists no GPU falls back to the CPU, with the reason, and the planner sees no GPU', async () => {
    const fake = fakeGpuEnv('one-gpu', { DEEPLOCAL_RELEASE_ENDPOINT: emu.url });
    app = await startApp(resources, { env: fake.env });
    expect((await getRuntime(app, 'cpu')).phase).toBe('done');
    const cuda = await getRuntime(app, 'cuda-12');
    // It runs (it is our CPU build under a CUDA name), so it stays installed: auto explains why it is not used.
    expect(cuda).toMatchObject({ phase: 'done', runtimeId: `${TAG}-cuda-12` });

    const sel = (await app.core.handlers['runtimes.list']({}, direct)).selection;
    expect(sel.candidates[0]).toMatchObject({ variant: 'cuda-12' });
    expect(sel.active?.id).toBe(`${TAG}-cpu`);
    expect(sel.fallbacks).toEqual([
      expect.objectContaining({
        runtimeId: `${TAG}-cuda-12`,
        ok: false,
        problem: expect.objectContaining({ code: 'NO_GPU_LISTED' }),
      }),
    ]);
    expect(sel.gpuUnusable).toEqual({ gpus: ['NVIDIA GeForce RTX 4090'], suggest: 'vulkan' });
    expect(sel.summary).toMatch(
      /^CUDA 12 runtime: sees no GPU — using CPU \(v0\.5\.0-cpu\) on the CPU; NVIDIA GeForce RTX 4090 unused/,
    );

    const report = await app.core.handlers['hardware.probe']({}, direct);
    expect(report.backendListed).toBe(true);
    expect(report.backendDevices).toEqual([]);
    expect(report.runtime).toMatchObject({ id: `${TAG}-cpu`, fallbacks: [{ runtimeId: `${TAG}-cuda-12` }] });
    const fit = await app.core.handlers['models.fit']({}, direct);
    expect(fit.hardware.gpus).toEqual([]);
    const { text } = await app.core.handlers['hardware.reportText']({}, direct);
    expect(text).toContain(`fell back from ${TAG}-cuda-12 (cuda-12): sees no GPU`);
    expect(text).toContain('none listed (models run on the CPU)');
  });

  it('a folder the user points at is checked, listed, usable, and removing it only forgets it', async () => {
    app = await startApp(resources, { env: env() });
    const folder = path.dirname(inject('llamaServer'));
    const info = await app.core.handlers['runtimes.addFolder']({ path: folder }, direct);
    expect(info).toMatchObject({ source: 'folder', variant: 'cpu', dir: folder, removable: true });
    expect(info.lastCheck).toMatchObject({ ok: true });
    expect((await app.core.settings.get()).runtime.folders).toEqual([folder]);
    const sel = await app.core.handlers['runtimes.use']({ id: info.id }, direct);
    expect(sel.active?.id).toBe(info.id);
    expect(await app.core.handlers['runtimes.remove']({ id: info.id }, direct)).toEqual({ removed: true });
    expect(fs.existsSync(path.join(folder, 'llama-server'))).toBe(true);
    expect((await app.core.settings.get()).runtime).toMatchObject({ folders: [], active: 'auto' });
    const empty = tmpDir('dl-empty-');
    const refused = await app.core.handlers['runtimes.addFolder']({ path: empty }, direct).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'RUNTIME_CHECK_FAILED' });
    fs.rmSync(empty, { recursive: true, force: true });
  });

  // Last: it publishes a newer release.
  it('update: a newer release is fetched, checked and made active; the previous one stays for rollback', async () => {
    app = await startApp(resources, { env: env() });
    expect((await getRuntime(app, 'cpu')).phase).toBe('done');
    expect(await app.core.handlers['runtimes.update']({}, direct)).toEqual({ current: TAG, latest: TAG, job: null });
    const next = (await makeReleaseAssets({ tag: 'v0.5.1', variants: ['cpu'] })).assets;
    await emu.addRelease({ tag: 'v0.5.1', assets: next.map(spec), publishedAt: '2026-03-01T00:00:00Z' });
    const u = await app.core.handlers['runtimes.update']({ apply: true }, direct);
    expect(u).toMatchObject({ current: TAG, latest: 'v0.5.1', job: { variant: 'cpu', tag: 'v0.5.1' } });
    expect(await app.core.runtimes.manager.waitJob(u.job!.id)).toMatchObject({
      phase: 'done',
      runtimeId: 'v0.5.1-cpu',
    });
    const list = await app.core.handlers['runtimes.list']({}, direct);
    expect(list.selection.active?.id).toBe('v0.5.1-cpu');
    expect(list.installed.map((r) => r.id).sort()).toEqual([`${TAG}-cpu`, 'v0.5.1-cpu']);
    // Rollback.
    expect((await app.core.handlers['runtimes.use']({ id: `${TAG}-cpu` }, direct)).active?.id).toBe(`${TAG}-cpu`);
    expect(await app.core.handlers['runtimes.update']({}, direct)).toMatchObject({ current: TAG, latest: 'v0.5.1' });
  });
});
