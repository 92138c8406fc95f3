/**
 * Runtimes update by themselves (Settings → Runtimes, on by default): with an official runtime active in automatic
 * mode, a newer release on the feed is fetched, checked and becomes active without a new app version, and the
 * previous one stays for rollback; a rollback (pinning the old one) is not undone by the next check. Real release
 * stand-in, real downloader and archives, real llama-server --list-devices.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeReleaseAssets, type MadeAsset } from '../../../scripts/release-emulator/make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from '../../../scripts/release-emulator/server.mjs';
import { pathWithoutGpuTools, startApp, tmpDir, type AppUnderTest } from '../../test/helpers';

const repoResources = inject('resourcesDir');
const direct = { transport: 'direct' as const };
const spec = (a: MadeAsset) => ({ name: a.name, path: a.path, sha256: a.sha256 });

let emu: ReleaseEmulator;
let resources: string;
let app: AppUnderTest | null = null;

beforeAll(async () => {
  const first = (await makeReleaseAssets({ tag: 'v0.5.0', variants: ['cpu'] })).assets;
  emu = await startReleaseEmulator({
    releases: [{ tag: 'v0.5.0', assets: first.map(spec), publishedAt: '2026-02-01T00:00:00Z' }],
  });
  // Only the pinned manifest: no source build, so the active runtime is the release one.
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
});

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('runtime auto-update', () => {
  it('fetches a newer release by itself, makes it active, keeps the old one, and leaves a rollback alone', async () => {
    app = await startApp(resources, {
      env: {
        ...process.env,
        PATH: pathWithoutGpuTools(),
        DEEPLOCAL_RELEASE_ENDPOINT: emu.url,
        DEEPLOCAL_RUNTIME_UPDATE_DELAY_MS: '200',
        DEEPLOCAL_RUNTIME_UPDATE_INTERVAL_MS: '200',
      },
    });
    const h = app.core.handlers;
    const job = await h['runtimes.get']({ variant: 'cpu' }, direct);
    expect((await app.core.runtimes.manager.waitJob(job.id)).phase).toBe('done');
    expect((await h['runtimes.list']({}, direct)).selection.active?.id).toBe('v0.5.0-cpu');

    const next = (await makeReleaseAssets({ tag: 'v0.5.1', variants: ['cpu'] })).assets;
    await emu.addRelease({ tag: 'v0.5.1', assets: next.map(spec), publishedAt: '2026-03-01T00:00:00Z' });
    const updated = await until('the update', async () => {
      const l = await h['runtimes.list']({}, direct);
      return l.selection.active?.id === 'v0.5.1-cpu' && l;
    });
    expect(updated.installed.map((r) => r.id).sort()).toEqual(['v0.5.0-cpu', 'v0.5.1-cpu']);
    expect(updated.installed.find((r) => r.id === 'v0.5.1-cpu')?.lastCheck?.ok).toBe(true);

    // Rollback: pin the old one. Later checks (every 200 ms here) must not move it back.
    expect((await h['runtimes.use']({ id: 'v0.5.0-cpu' }, direct)).active?.id).toBe('v0.5.0-cpu');
    const asked = () => emu.stats.requests.filter((r) => r.path.endsWith('/releases/latest')).length;
    const before = asked();
    await new Promise((r) => setTimeout(r, 1500));
    expect((await h['runtimes.list']({}, direct)).selection.active?.id).toBe('v0.5.0-cpu');
    // Pinned: the feed is not even asked.
    expect(asked()).toBe(before);
  }, 240_000);
});
