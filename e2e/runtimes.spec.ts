/**
 * Settings → Runtimes and the Hardware page's Runtime card in Chromium against the headless app. The shared app
 * (fake nvidia-smi with two GPUs, our CPU build): the active runtime is listed and marked, its check says it lists
 * no GPU, and the Hardware page says the GPUs cannot be used by it. A second app whose release endpoint cannot be
 * reached (DEEPLOCAL_RELEASE_ENDPOINT): RELEASE_UNREACHABLE is shown, the mirror field points it at the release
 * stand-in (scripts/release-emulator, assets made from our own builds), "Get" shows progress with speed and time
 * left and ends installed and checked, "Use" and "Automatic" switch, a slow download is cancelled, "Remove" removes.
 * "Add folder…" checks a folder holding llama-server and lists it, and refuses one without, saying why.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RuntimeList } from '../electron/shared/runtimes';
import { makeReleaseAssets, type MadeAsset } from '../scripts/release-emulator/make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from '../scripts/release-emulator/server.mjs';
import { appUrl, rpc, rpcAt, startApp, type StartedApp } from './app';

test.describe.configure({ mode: 'serial' });

test('Settings → Runtimes lists the active runtime with its check; Hardware says the GPUs cannot be used', async ({
  page,
}) => {
  const list = await rpc<RuntimeList>('runtimes.list', {});
  const active = list.selection.active!;
  // Our own CPU build (resources/bin), the only runtime that works without a GPU here.
  expect(active).toMatchObject({ variant: 'cpu', source: 'source' });
  await page.goto(appUrl());
  await page.getByTestId('nav-settings').click();
  const section = page.getByTestId('settings-runtimes');
  await expect(section).toBeVisible();
  const row = section.locator(`[data-testid=runtime-row][data-id="${active.id}"]`);
  await expect(row).toHaveAttribute('data-active', 'true');
  await expect(row.getByTestId('runtime-active')).toBeVisible();
  await expect(row.getByTestId('runtime-origin')).toHaveText(/^built from source/);
  await expect(row).toHaveAttribute('data-check', 'cpu-only');
  await expect(row.getByTestId('runtime-check')).toHaveText('Lists no GPU: runs on the CPU');
  await expect(section.getByTestId('runtime-choice')).toHaveAttribute('data-setting', 'auto');
  await expect(section.getByTestId('runtime-choice')).toContainText(`Automatic — now CPU`);

  await page.getByTestId('nav-hardware').click();
  const card = page.getByTestId('hw-runtime');
  await expect(card.getByTestId('hw-runtime-active')).toHaveAttribute('data-variant', 'cpu');
  await expect(card.getByTestId('hw-runtime-devices')).toHaveAttribute('data-count', '0');
  // Two fake NVIDIA GPUs and a runtime that lists none: said, with the variant that could use them.
  const unusable = card.getByTestId('gpu-unusable');
  await expect(unusable).toContainText('NVIDIA GeForce RTX 3090');
  await expect(unusable).toContainText('cannot use it');
  expect(list.selection.gpuUnusable?.suggest).toMatch(/^cuda-1[23]$/);
  await expect(unusable).toHaveAttribute('data-suggest', list.selection.gpuUnusable!.suggest!);
  // Each runtime tried before the CPU, with its problem in words ("Vulkan runtime: sees no GPU — using CPU …").
  for (const [i, f] of list.selection.fallbacks.entries())
    await expect(card.getByTestId('hw-runtime-fallback').nth(i)).toHaveAttribute('data-code', f.problem!.code);
});

test.describe('the release stand-in', () => {
  let emu: ReleaseEmulator;
  let assets: MadeAsset[];
  let app: StartedApp;
  const asset = (variant: string) => assets.find((a) => a.variant === variant)!;

  test.beforeAll(async () => {
    test.setTimeout(300_000);
    const made = await makeReleaseAssets({ variants: ['cpu', 'cuda-12'] });
    assets = made.assets;
    emu = await startReleaseEmulator({
      tag: made.tag,
      assets: assets.map((a) => ({ name: a.name, path: a.path, sha256: a.sha256 })),
    });
    // Nothing listens on port 9: the feed cannot be reached until Settings points at the stand-in.
    app = await startApp({ profile: 'one-gpu', env: { DEEPLOCAL_RELEASE_ENDPOINT: 'http://127.0.0.1:9' } });
    await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed' });
  });
  test.afterAll(async () => {
    await app?.stop();
    await emu?.close();
  });

  test('Get: unreachable feed, then the mirror field; progress with speed and ETA, installed, used, removed', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();
    const section = page.getByTestId('settings-runtimes');
    await expect(section.getByTestId('runtime-available-error')).toHaveAttribute('data-code', 'RELEASE_UNREACHABLE');

    // The release endpoint (mirror) setting wins over the environment.
    await section.getByTestId('runtime-endpoint').fill(emu.url);
    await section.getByTestId('runtime-endpoint-save').click();
    await expect(section.getByTestId('runtime-endpoint-in-use')).toContainText(emu.url);
    const offer = section.locator('[data-testid=runtime-offer][data-variant=cpu]');
    await expect(offer).toHaveAttribute('data-installed', 'false');
    await expect(section.locator('[data-testid=runtime-offer][data-variant=cuda-12]')).toBeVisible();

    // About 4 s of download at this rate: the row shows bytes, speed and time left while it runs.
    emu.setFaults([{ kind: 'rate', file: asset('cpu').name, bytesPerSecond: Math.ceil(asset('cpu').size / 4) }]);
    await offer.getByTestId('runtime-get').click();
    const job = offer.getByTestId('runtime-job');
    await expect(job).toHaveAttribute('data-phase', 'download');
    await expect(job.getByTestId('runtime-job-figures')).toContainText(/Downloading · .+ of .+ · .+\/s · .+ left/);
    await expect(job.getByTestId('runtime-job-progress')).toHaveAttribute('data-progress', /^[1-9]\d?$/);

    // Verified, unpacked, checked: installed, listed with its origin and its check.
    await expect(offer).toHaveAttribute('data-installed', 'true', { timeout: 90_000 });
    const id = `${emu.releases()[0]!.tag}-cpu`;
    const row = section.locator(`[data-testid=runtime-row][data-id="${id}"]`);
    await expect(row).toHaveAttribute('data-source', 'release');
    await expect(row.getByTestId('runtime-origin')).toHaveText(`release ${emu.releases()[0]!.tag}`);
    await expect(row).toHaveAttribute('data-check', 'cpu-only');
    emu.clearFaults();

    // Use it; then our own CPU build again, remove the fetched one, and back to automatic.
    const installed = (await rpcAt<RuntimeList>(app.url, 'runtimes.list', {})).installed;
    const before = installed.find((r) => r.source === 'source' && r.variant === 'cpu')!;
    await row.getByTestId('runtime-use').click();
    await expect(row).toHaveAttribute('data-active', 'true');
    await expect(section.getByTestId('runtime-choice')).toHaveAttribute('data-setting', id);
    const other = section.locator(`[data-testid=runtime-row][data-id="${before.id}"]`);
    await other.getByTestId('runtime-use').click();
    await expect(other).toHaveAttribute('data-active', 'true');
    await row.getByTestId('runtime-remove').click();
    await row.getByTestId('runtime-remove-confirm').click();
    await expect(row).toHaveCount(0);
    await expect(offer).toHaveAttribute('data-installed', 'false');
    await section.getByTestId('runtime-use-auto').click();
    await expect(section.getByTestId('runtime-choice')).toHaveAttribute('data-setting', 'auto');
  });

  test('a slow download is cancelled from its progress row', async ({ page }) => {
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();
    const offer = page.locator('[data-testid=runtime-offer][data-variant=cuda-12]');
    const main = assets.find((a) => a.variant === 'cuda-12' && !a.name.startsWith('cudart'))!;
    emu.setFaults(
      assets
        .filter((a) => a.variant === 'cuda-12')
        .map((a) => ({ kind: 'rate' as const, file: a.name, bytesPerSecond: Math.ceil(main.size / 60) })),
    );
    await offer.getByTestId('runtime-get').click();
    const job = offer.getByTestId('runtime-job');
    await expect(job).toHaveAttribute('data-phase', 'download');
    await job.getByTestId('runtime-job-cancel').click();
    await expect(job).toHaveAttribute('data-phase', 'cancelled');
    await expect(job.getByTestId('runtime-job-figures')).toHaveText('Cancelled');
    await expect(offer).toHaveAttribute('data-installed', 'false');
    await expect(offer.getByTestId('runtime-get')).toHaveText(/Try again/);
    emu.clearFaults();
  });
});

test('Add folder…: a folder holding llama-server is checked and listed; one without is refused, saying why', async ({
  page,
}) => {
  const app = await startApp({ profile: 'one-gpu' });
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-nofolder-'));
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-folder-'));
  try {
    // Our CPU build's llama-server alone in a folder of the user's (no runtime.json: a plain folder).
    const cpu = (await rpcAt<RuntimeList>(app.url, 'runtimes.list', {})).installed.find((r) => r.variant === 'cpu')!;
    fs.copyFileSync(cpu.server, path.join(folder, path.basename(cpu.server)));
    fs.chmodSync(path.join(folder, path.basename(cpu.server)), 0o755);
    await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed' });
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();
    const section = page.getByTestId('settings-runtimes');

    await section.getByTestId('runtime-add-folder').click();
    await section.getByTestId('runtime-folder-path').fill(empty);
    await section.getByTestId('runtime-folder-submit').click();
    await expect(section.getByTestId('runtime-folder-error')).toHaveAttribute('data-code', /^RUNTIME_/);

    await section.getByTestId('runtime-folder-path').fill(folder);
    await section.getByTestId('runtime-folder-submit').click();
    const row = section.locator('[data-testid=runtime-row][data-source=folder]');
    await expect(row).toHaveAttribute('data-check', 'cpu-only');
    await expect(row.getByTestId('runtime-origin')).toHaveText('folder');
    await expect(row).toContainText(folder);
    await row.getByTestId('runtime-remove').click();
    await row.getByTestId('runtime-remove-confirm').click();
    await expect(row).toHaveCount(0);
    // Removing a folder only forgets it.
    expect(fs.existsSync(path.join(folder, path.basename(cpu.server)))).toBe(true);
  } finally {
    await app.stop();
    fs.rmSync(empty, { recursive: true, force: true });
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
