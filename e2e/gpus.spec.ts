/**
 * Several GPUs as a user sees them, in Chromium against the headless app on the real Vulkan build with two lavapipe
 * devices (GGML_VK_VISIBLE_DEVICES=0,0): the Model page lists both GPUs and shows the per-GPU plan for the 4-layer
 * synthetic model BEFORE loading (3 layers + 1 layer and the output), follows an excluded GPU, says why row split
 * cannot run here, and after Start the
 * Monitor shows each GPU's share of the running model.
 * Without the Vulkan build (resources/bin/<platform>-<arch>-vulkan) this is skipped on a developer machine and FAILS
 * under CI=true, as runtime-wizard.spec.ts does.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeList } from '../electron/shared/runtimes';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { rpcAt, startApp, type StartedApp } from './app';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vulkanDir = path.join(root, 'resources', 'bin', `${process.platform}-${process.arch}-vulkan`);
const vulkanBuilt = fs.existsSync(path.join(vulkanDir, 'llama-server'));

let app: StartedApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

test('the Vulkan build is there, or this is not CI', () => {
  expect(
    vulkanBuilt || process.env.CI !== 'true',
    `no Vulkan build in ${vulkanDir}; build it: node scripts/build-llama-server.mjs --variant vulkan`,
  ).toBe(true);
});

test('two GPUs: the plan per GPU before loading, an excluded GPU, and each GPU’s share on the Monitor', async ({
  page,
}) => {
  test.skip(!vulkanBuilt, `no Vulkan build in ${vulkanDir}`);
  test.setTimeout(240_000);
  const model = await ensureTestModel({ preset: 'small', seed: 1 });
  app = await startApp({ profile: 'one-gpu', env: { GGML_VK_VISIBLE_DEVICES: '0,0' } });
  const list = await rpcAt<RuntimeList>(app.url, 'runtimes.list', {});
  const vulkan = list.installed.find((r) => r.variant === 'vulkan');
  expect(vulkan, 'the Vulkan build is listed as an installed runtime').toBeTruthy();
  await rpcAt(app.url, 'runtimes.use', { id: vulkan!.id });
  await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed', loadOptions: { contextSize: 1024 } });

  await page.goto(app.url);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  await input.fill(model);
  await input.blur();

  const fields = page.getByTestId('gpu-fields');
  await expect(fields.getByTestId('gpu-use-Vulkan0')).toBeChecked();
  await expect(fields.getByTestId('gpu-use-Vulkan1')).toBeChecked();
  const plan = fields.getByTestId('gpu-plan');
  const row = (name: string) => plan.locator(`tr[data-device="${name}"]`);
  // Equal free memory: blocks 0-2 on Vulkan0, block 3 and the output on Vulkan1; nothing on the CPU.
  await expect(row('Vulkan0')).toHaveAttribute('data-layers', '3');
  await expect(row('Vulkan1')).toHaveAttribute('data-layers', '1');
  await expect(row('CPU')).toHaveAttribute('data-layers', '0');
  await expect(row('Vulkan0')).toContainText('75 %');
  await expect(plan).toContainText('-dev Vulkan0,Vulkan1 -ts 3,2');

  // Leave Vulkan1 out: it is not used, everything goes to Vulkan0 (one GPU: llama.cpp fits it).
  await fields.getByTestId('gpu-use-Vulkan1').uncheck();
  await expect(row('Vulkan1')).toContainText('not used');
  await expect(row('Vulkan0')).toHaveAttribute('data-layers', '4');
  await expect(plan).toContainText('-dev Vulkan0');
  await fields.getByRole('button', { name: 'Automatic' }).click();
  await expect(row('Vulkan1')).toHaveAttribute('data-layers', '1');

  // Row split cannot run on Vulkan at this llama.cpp: said before loading, in words.
  await fields.getByTestId('gpu-split-mode').selectOption('row');
  const err = fields.getByTestId('gpu-plan-error');
  await expect(err).toHaveAttribute('data-code', 'UNSUPPORTED');
  await expect(err).toContainText('only on SYCL devices');
  await fields.getByTestId('gpu-split-mode').selectOption('layer');
  await expect(row('Vulkan0')).toHaveAttribute('data-layers', '3');

  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });

  await page.getByTestId('nav-monitor').click();
  const share = page.getByTestId('monitor-gpu-share');
  await expect(share.locator('tr[data-device="Vulkan0"]')).toHaveAttribute('data-layers', '3');
  await expect(share.locator('tr[data-device="Vulkan1"]')).toHaveAttribute('data-layers', '1');
  await expect(share).toContainText('25 %');
});
