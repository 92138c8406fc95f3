/**
 * Self-healing as a user sees it, in Chromium against the headless app and the real llama-server: a reply is
 * streaming when llama-server is killed (SIGKILL, as a driver crash or the OOM killer would). The reply keeps its
 * partial text and is marked "interrupted", the status bar says the backend crashed and is restarting, then that it
 * restarted; the conversation file keeps the partial reply; one click on Retry asks the same turn again and its full
 * answer replaces the interrupted one. Four kills in a row before any reply: it gives up with the reason, Retry
 * brings it back. And a real out-of-memory failure (the Vulkan build on a 2048 MiB lavapipe device, a context whose KV
 * cache cannot fit) walks the ladder; the stepped-down settings are kept as the model's defaults in one click.
 */
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimeList } from '../electron/shared/runtimes';
import type { ConversationDetail } from '../electron/shared/chat-schemas';
import type { BackendStatus } from '../electron/shared/schemas';
import type { ProfileAnswer } from '../electron/shared/tuning';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { appUrl, rpc, rpcAt, startApp, type StartedApp } from './app';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vulkanDir = path.join(root, 'resources', 'bin', `${process.platform}-${process.arch}-vulkan`);
const vulkanBuilt = fs.existsSync(path.join(vulkanDir, 'llama-server'));

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;
const status = () => rpc<BackendStatus>('backend.status', {});

async function open(page: Page) {
  await page.goto(appUrl());
  await expect(page.getByTestId('status-pill')).toBeVisible();
}

test.afterAll(async () => {
  await rpc('backend.stop', {});
  await rpc('settings.update', { sampling: {} });
});

test('a reply cut by a backend crash is kept, marked interrupted, and retried once the backend is back', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await open(page);
  await page.getByTestId('nav-model').click();
  if ((await status()).state !== 'ready') {
    await page.getByTestId('model-path-input').fill(model());
    await page.getByTestId('model-start').click();
  }
  const pill = page.getByTestId('status-pill');
  await expect(pill).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  const before = await status();
  expect(before.pid).not.toBeNull();

  // The synthetic model never ends a reply by itself: without max_tokens this one streams until the crash.
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95 } });
  await page.getByTestId('nav-chat').click();
  await page.getByTestId('chat-new').click();
  await page.getByTestId('chat-input').fill('Tell me a story that never ends');
  await page.getByTestId('chat-input').press('Enter');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  await expect.poll(async () => (await reply.innerText()).length, { timeout: 20_000 }).toBeGreaterThan(80);

  // Every text the status bar shows from here on, so a restart that passes quickly is still seen.
  // (A string: this file is type-checked without the DOM library.)
  await page.evaluate(`(() => {
    window.pillTexts = [];
    const el = document.querySelector('[data-testid="status-pill"]');
    new MutationObserver(() => window.pillTexts.push((el.getAttribute('data-heal') ?? '') + '|' + el.textContent))
      .observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
  })()`);
  // The text so far, thinking included (R1-style: the synthetic model mostly "thinks"; folded away once it ends).
  const text = async () => (await reply.locator('.markdown').allTextContents()).join('');
  const partial = await text();
  process.kill(before.pid!, 'SIGKILL');

  // The reply ends with what it had, marked interrupted with the crash as the reason.
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 15_000 });
  const mark = reply.getByTestId('interrupted');
  await expect(mark).toBeVisible();
  await expect(mark.getByRole('alert')).toHaveAttribute('data-code', 'BACKEND_CRASHED');
  const kept = await text();
  expect(kept.length).toBeGreaterThanOrEqual(partial.length);
  expect(kept).toContain(partial.slice(0, 40));

  // The supervision restarts it: the status bar said so while it did, and says it restarted once ready.
  await expect(pill).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(pill).toHaveAttribute('data-heal', 'restarted');
  await expect(pill.getByTestId('status-heal')).toHaveText('Restarted');
  await expect(pill.getByTestId('status-heal')).toHaveAttribute('title', 'Restarted after a crash');
  const seen = await page.evaluate<string[]>('window.pillTexts');
  expect(
    seen.some((s) => /^restarting\|Crashed — restarting/.test(s)),
    seen.join('\n'),
  ).toBe(true);
  const after = await status();
  expect(after.pid).not.toBe(before.pid);
  expect(after.recovery).toMatchObject({ phase: 'restarted', reason: { code: 'BACKEND_CRASHED' } });
  expect(after.recovery!.restarts).toBeGreaterThanOrEqual(1);
  await expect(mark).toHaveAttribute('data-backend', 'restarted');
  await expect(mark).toContainText('Interrupted — backend restarted');

  // Nothing lost: the core's conversation has the partial reply and why it ended.
  const convId = /#\/chat\/([^/?#]+)/.exec(page.url())![1]!;
  const saved = await rpc<ConversationDetail>('conversations.get', { id: convId });
  expect(saved.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  expect(saved.messages[1]!.error?.code).toBe('BACKEND_CRASHED');
  const savedText = saved.messages[1]!.reasoning + saved.messages[1]!.content;
  expect(savedText.length).toBeGreaterThan(80);

  // The Model page tells the same story.
  await page.getByTestId('nav-model').click();
  const panel = page.getByTestId('recovery');
  await expect(panel).toHaveAttribute('data-phase', 'restarted');
  await expect(panel.getByTestId('recovery-headline')).toHaveText('Restarted after a crash');

  // Retry asks the same turn again; a finite answer this time, a new version of the reply (the cut one stays as 1/2).
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 32 } });
  await page.getByTestId('nav-chat').click();
  await reply.getByTestId('reply-retry').click();
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  const again = page.getByTestId('message-assistant').last();
  await expect(again).toHaveAttribute('data-streaming', 'false', { timeout: 60_000 });
  await expect(again.getByTestId('interrupted')).toHaveCount(0);
  await expect(again.getByTestId('reply-stats')).toContainText(/32/);
  await expect(again.getByTestId('msg-version-count')).toHaveText('2/2');
  // Kept in the same conversation: the thread on screen is the question and the new full reply, without error.
  await expect
    .poll(async () => {
      const c = await rpc<ConversationDetail>('conversations.get', { id: convId });
      const byId = new Map(c.messages.map((m) => [m.id, m]));
      const thread = [];
      for (let id = c.leafId; id !== null; id = byId.get(id)!.parentId) thread.unshift(byId.get(id)!);
      return thread.map((m) => `${m.role}:${m.error?.code ?? ''}:${m.timings?.predictedTokens ?? ''}`);
    })
    .toEqual(['user::', 'assistant::32']);
});

test('after three failed restarts in a row it gives up with the reason, and Retry brings the model back', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // A fresh start by the user: nothing remembered from an earlier recovery.
  await rpc('backend.stop', {});
  await rpc('backend.start', { modelPath: model() });
  await expect.poll(async () => (await status()).state, { timeout: 30_000 }).toBe('ready');
  await open(page);
  await page.getByTestId('nav-model').click();
  const pill = page.getByTestId('status-pill');

  // Kill each run as soon as it has a process, before it can serve a reply (a served reply resets the count):
  // the first crash and three failed restarts (1 s, 2 s, 4 s apart).
  const killed: number[] = [];
  for (let i = 0; i < 4; i++) {
    let pid: number | null = null;
    await expect
      .poll(
        async () => {
          pid = (await status()).pid;
          return pid !== null && !killed.includes(pid);
        },
        { timeout: 30_000, intervals: [50] },
      )
      .toBe(true);
    process.kill(pid!, 'SIGKILL');
    killed.push(pid!);
  }

  const panel = page.getByTestId('recovery');
  await expect(panel).toHaveAttribute('data-phase', 'gave-up', { timeout: 30_000 });
  await expect(pill).toHaveAttribute('data-state', 'crashed');
  await expect(pill.getByTestId('status-heal')).toHaveText('Gave up after 3 tries');
  await expect(panel.getByTestId('recovery-headline')).toHaveText(
    /^Gave up after 3 tries: The backend crashed \(.+\)\.$/,
  );
  // Said once, in the panel: the file card does not repeat the same error.
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  const gaveUp = await status();
  expect(gaveUp.recovery).toMatchObject({ phase: 'gave-up', attempt: 3, maxAttempts: 3 });

  await panel.getByTestId('recovery-retry').click();
  await expect(pill).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(pill).toHaveAttribute('data-heal', 'restarted');
  expect(killed).not.toContain((await status()).pid);
});

test('Settings → Crash recovery: the switches, the tri-state reload and the numbers reach settings.backend', async ({
  page,
}) => {
  type Backend = { backend: Record<string, unknown> };
  const backend = async () => (await rpc<Backend>('settings.get', {})).backend;
  await open(page);
  await page.getByTestId('nav-settings').click();
  const card = page.getByTestId('recovery-settings');
  await expect(card).toContainText('Crash recovery');

  await expect(card.getByTestId('recovery-auto-restart')).toBeChecked();
  await card.getByTestId('recovery-auto-restart').uncheck();
  await expect.poll(async () => (await backend()).autoRestart).toBe(false);
  await card.getByTestId('recovery-oom-ladder').uncheck();
  await expect.poll(async () => (await backend()).oomLadder).toBe(false);
  // One switch does not reset the other.
  expect(await backend()).toMatchObject({ autoRestart: false, oomLadder: false });
  await expect(card.getByTestId('recovery-auto-restart')).not.toBeChecked();

  // null = the shell's default, said as such: this is the headless app, where it is off.
  const reload = card.getByTestId('recovery-reload-last');
  await expect(reload.locator('option:checked')).toHaveText('Default (off in the headless app)');
  await reload.selectOption('on');
  await expect.poll(async () => (await backend()).reloadLastModel).toBe(true);
  await reload.selectOption('default');
  await expect.poll(async () => (await backend()).reloadLastModel).toBeNull();

  await card.getByTestId('recovery-hang').fill('45');
  await card.getByTestId('recovery-min-context').fill('4096');
  await card.getByTestId('recovery-save').click();
  await expect.poll(async () => backend()).toMatchObject({ hangTimeoutS: 45, minContext: 4096 });
  await expect(card.getByTestId('recovery-save')).toBeDisabled();

  await rpc('settings.update', {
    backend: { autoRestart: true, oomLadder: true, reloadLastModel: null, hangTimeoutS: 30, minContext: 2048 },
  });
  await expect(card.getByTestId('recovery-auto-restart')).toBeChecked();
  await expect(card.getByTestId('recovery-hang')).toHaveValue('30');
});

let own: StartedApp | null = null;
test.afterEach(async () => {
  await own?.stop();
  own = null;
});

test('the Vulkan build is there, or this is not CI', () => {
  // Skipping is for developer machines only: in CI a missing build must fail loudly, not pass as "skipped".
  expect(
    vulkanBuilt || process.env.CI !== 'true',
    `no Vulkan build in ${vulkanDir}; build it: node scripts/build-llama-server.mjs --variant vulkan`,
  ).toBe(true);
});

test('out of memory at load: the ladder step is shown in words, and the working settings are kept for the model', async ({
  page,
}) => {
  test.skip(!vulkanBuilt, `no Vulkan build in ${vulkanDir}`);
  test.setTimeout(300_000);
  // 4 layers × 2 × 128 × 2 B = 2 KiB of KV per token: 2048 MiB at 1M tokens, more than the device holds with the model.
  const small = await ensureTestModel({ preset: 'small', seed: 1 });
  own = await startApp({ profile: 'one-gpu', env: { GGML_VK_VISIBLE_DEVICES: '0' } });
  const call = <T>(method: string, params: object) => rpcAt<T>(own!.url, method, params);
  const vulkan = (await call<RuntimeList>('runtimes.list', {})).installed.find((r) => r.variant === 'vulkan');
  expect(vulkan, 'the Vulkan build is listed as an installed runtime').toBeTruthy();
  await call('runtimes.use', { id: vulkan!.id });
  const asked = { contextSize: 1_048_576, gpuLayers: 'all' };
  await call('settings.update', { setupWizard: 'dismissed', loadOptions: asked });

  await page.goto(own.url);
  await page.getByTestId('nav-model').click();
  await call('backend.start', { modelPath: small, options: asked });

  const panel = page.getByTestId('recovery');
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 240_000 });
  await expect(panel).toHaveAttribute('data-phase', 'restarted');
  await expect(panel.getByTestId('recovery-headline')).toHaveText('Restarted after running out of memory');
  await expect(panel.getByTestId('recovery-steps')).toHaveText('context 1048576 → 524288 (out of memory)');
  expect((await call<BackendStatus>('backend.status', {})).options?.contextSize).toBe(524_288);

  await panel.getByTestId('recovery-keep').click();
  await expect(panel.getByTestId('recovery-kept')).toHaveText('Saved as this model’s defaults.');
  const saved = await call<ProfileAnswer>('profiles.get', { modelPath: small });
  expect(saved.profile).toMatchObject({ source: 'recovered', options: { contextSize: 524_288 } });
  // Only what the ladder changed: the rest still follows the global defaults.
  expect(Object.keys(saved.profile!.options)).toEqual(['contextSize']);
  await call('backend.stop', {});
});
