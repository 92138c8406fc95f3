/**
 * vLLM from the GUI (issue 15 §1), in Chromium against its own headless app. vLLM cannot run here, so the installed
 * vLLM is the stand-in (scripts/fake-vllm: vLLM's command line, log and HTTP API over a real llama-server on the
 * synthetic tiny model). The app is told where to look (DEEPLOCAL_VLLM = a venv folder) before that folder exists:
 *   1. no vLLM: the guided install panel with this machine's commands (the same the core planned) and a re-check;
 *      the venv appears (its bin/ is the stand-in) and the re-check finds it, with its version and GPU;
 *   2. a model folder: the plan shows the fit and the `vllm serve` command; start → ready, the status bar says vLLM,
 *      and a chat reply comes from it.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VllmDetection, VllmPlan } from '../electron/shared/backends';
import { writeVllmSnapshot } from '../scripts/bench/lib/vllm-snapshot.mjs';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { rpcAt, startApp, type StartedApp } from './app';
import { askInChat, backendReady, cpuBin, FAKE_VLLM_DIR, openBackends } from './backends-helpers';

const REPLY_TOKENS = 10;

test.describe.configure({ mode: 'serial' });

let app: StartedApp;
let work: string;
let venv: string;
let snapshot: string;
const rpc = <T = unknown>(method: string, params: object) => rpcAt<T>(app.url, method, params);

test.beforeAll(async () => {
  const gguf = await ensureTestModel({ preset: 'tiny', seed: 1 });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-vllm-'));
  venv = path.join(work, 'vllm-venv');
  snapshot = writeVllmSnapshot(path.join(work, 'DeepSeek-R1-Distill-Qwen-Tiny'));
  app = await startApp({
    profile: 'no-driver',
    env: {
      DEEPLOCAL_VLLM: venv,
      FAKE_VLLM_GGUF: gguf,
      FAKE_VLLM_LLAMA_SERVER: path.join(cpuBin, 'llama-server'),
      FAKE_VLLM_LOAD_MS: '500',
    },
  });
  await rpc('settings.update', {
    setupWizard: 'dismissed',
    chat: { autoTitle: false },
    sampling: { temperature: 0, max_tokens: REPLY_TOKENS },
  });
});

test.afterAll(async () => {
  await rpc('backend.stop', {}).catch(() => undefined);
  await app?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('no vLLM: the install guide with its commands; after installing, re-check finds it', async ({ page }) => {
  test.setTimeout(180_000);
  const detection = await rpc<VllmDetection>('vllm.detect', { refresh: true });
  expect(detection.installs.filter((i) => i.usable)).toHaveLength(0);
  const commands = detection.guide.steps.flatMap((s) => s.commands);
  expect(commands.length).toBeGreaterThan(0);

  await openBackends(page, app.url);
  const guide = page.getByTestId('vllm-guide');
  await expect(guide).toBeVisible({ timeout: 60_000 });
  // The commands the core planned for this machine, each shown to copy.
  await expect(guide.getByTestId('vllm-guide-cmd')).toHaveCount(commands.length);
  for (const [i, c] of commands.entries()) await expect(guide.getByTestId('vllm-guide-cmd').nth(i)).toContainText(c);
  await expect(page.locator('[data-testid="vllm-install"][data-usable="true"]')).toHaveCount(0);

  // "Install" it: the venv DEEPLOCAL_VLLM names appears, its bin/ holding the stand-in's vllm and python3.
  fs.mkdirSync(venv, { recursive: true });
  fs.symlinkSync(FAKE_VLLM_DIR, path.join(venv, 'bin'), 'dir');
  await page.getByTestId('vllm-recheck').click();
  const row = page.locator('[data-testid="vllm-install"][data-usable="true"]');
  await expect(row).toHaveCount(1, { timeout: 90_000 });
  const found = (await rpc<VllmDetection>('vllm.detect', {})).installs.find((i) => i.usable)!;
  expect(found.version).toBe('0.11.0');
  expect(found.gpus.length).toBeGreaterThan(0);
  await expect(row).toContainText(found.version!);
  await expect(row).toContainText(found.gpus[0]!.name);
  await expect(guide).toBeHidden();
});

test('a model folder: plan with fit and command; start → ready → a chat reply from vLLM', async ({ page }) => {
  test.setTimeout(300_000);
  const plan = await rpc<VllmPlan>('vllm.plan', { modelPath: snapshot });
  expect(plan.problems).toEqual([]);
  expect(plan.fit.fits).toBe(true);

  await openBackends(page, app.url);
  await expect(page.locator('[data-testid="vllm-install"][data-usable="true"]')).toHaveCount(1, { timeout: 60_000 });
  await page.getByTestId('vllm-model-path').fill(snapshot);
  const shown = page.getByTestId('vllm-plan');
  await expect(shown).toBeVisible({ timeout: 60_000 });
  await expect(shown.getByTestId('vllm-fit')).toBeVisible();
  const command = shown.getByTestId('vllm-command');
  await expect(command).toContainText('serve');
  await expect(command).toContainText(snapshot);
  // The command the core planned, every argument of it (however the UI quotes or wraps them).
  for (const arg of plan.command) await expect(command).toContainText(arg);
  // The key goes by environment, never on the command line.
  await expect(command).not.toContainText('--api-key');
  await expect(page.getByTestId('vllm-problem')).toHaveCount(0);

  await page.getByTestId('vllm-start').click();
  const status = await backendReady(app.url, 180_000);
  expect(status.kind).toBe('vllm');
  expect(status.target).toMatchObject({ kind: 'vllm', install: plan.install!.id });
  await expect(page.getByTestId('status-kind')).toContainText('vLLM');

  await page.getByTestId('nav-chat').click();
  const reply = await askInChat(page, 'Hello vLLM');
  await expect(reply.getByTestId('reply-stats')).toContainText(`${REPLY_TOKENS} out`);
  expect((await reply.innerText()).trim().length).toBeGreaterThan(0);
  await expect(page.getByTestId('status-kind')).toContainText('vLLM');

  // Stop from the vLLM section: the run ends (the stand-in, like vLLM, is a process group we end whole).
  await openBackends(page, app.url);
  await page.getByTestId('vllm-stop').click();
  await expect(page.getByTestId('vllm-run')).toHaveAttribute('data-state', 'stopped', { timeout: 60_000 });
  await expect(page.getByTestId('vllm-stop')).toHaveCount(0);
});
