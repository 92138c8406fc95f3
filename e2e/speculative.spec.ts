/**
 * "Speed up with speculative decoding" on the Model page, in Chromium against its own headless app and the real
 * llama-server: a draft of another vocabulary is refused before start with the translated error; the tiny model's
 * Q8_0 copy as the draft starts, and the reply stats show the share of guessed tokens kept and tokens per pass.
 * MTP is not offered: the synthetic model has no next-token-prediction layers.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf, GGUFType, readGGUF, writeGGUF } from '../scripts/lib/gguf-writer.mjs';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { rpcAt, startApp, type StartedApp } from './app';

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

let app: StartedApp;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-spec-'));
test.beforeAll(async () => {
  app = await startApp({ profile: 'no-driver' });
  // Replies end at max_tokens (the synthetic model never ends by itself).
  await rpcAt(app.url, 'settings.update', {
    setupWizard: 'dismissed',
    sampling: { temperature: 0, top_p: 0.95, max_tokens: 48 },
  });
});
test.afterAll(async () => {
  await rpcAt(app.url, 'backend.stop', {}).catch(() => {});
  await app?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a draft of another vocabulary is refused; the Q8_0 copy drafts and the reply stats show it', async ({ page }) => {
  test.setTimeout(300_000);
  const q8 = await ensureTestModel({ preset: 'tiny', seed: 1, type: 'q8_0' });
  // Header only, one token renamed: it never reaches llama-server.
  const parsed = readGGUF(q8);
  const kv = [...parsed.kv].map(([k, e]): [string, unknown] => {
    if (k !== 'tokenizer.ggml.tokens') return [k, e];
    const tokens = [...(e as { value: string[] }).value];
    tokens[777] = '<other>';
    return [k, gguf.arr(GGUFType.STRING, tokens)];
  });
  const other = path.join(tmp, 'other-vocab.gguf');
  writeGGUF(other, { kv, tensors: [] });

  await page.goto(app.url);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  await input.fill(model());
  await input.press('Enter');
  await expect(page.getByTestId('model-preview')).toBeVisible();

  const fields = page.getByTestId('speculative-fields');
  await expect(fields).toContainText('Speed up with speculative decoding');
  // No MTP layers in the synthetic model: not offered.
  await expect(fields.getByTestId('spec-mode').locator('option')).toHaveText(['Off', 'A draft model', 'N-gram lookup']);
  await fields.getByTestId('spec-mode').selectOption('draft');
  await fields.getByTestId('spec-draft-path').fill(other);
  await page.getByTestId('model-start').click();
  const err = page.getByTestId('model-error');
  await expect(err).toHaveAttribute('data-code', 'DRAFT_VOCAB_MISMATCH');
  await expect(err).toContainText("does not share the model's vocabulary (tokenizer.ggml.tokens[777]");
  expect((await rpcAt<{ state: string }>(app.url, 'backend.status', {})).state).toBe('stopped');

  await fields.getByTestId('spec-draft-path').fill(q8);
  // A random synthetic model is never 75 % sure of a token: guess whatever it proposes.
  await fields.locator('input[id$="-pmin"]').fill('0');
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  await page.getByTestId('nav-chat').click();
  await page.getByTestId('chat-input').fill('one two three four five six seven');
  await page.getByTestId('chat-input').press('Enter');
  const stats = page.getByTestId('message-assistant').last().getByTestId('reply-stats');
  // Drafting on 2 cores beside Chromium: ggml's spinning threads share a core with the browser, and 48 tokens have
  // taken up to a minute on the CI machine (1.2 s per token, against 43 ms with the cores to itself).
  await expect(stats).toContainText(/tok\/s/, { timeout: 180_000 });
  await expect(stats.getByTestId('reply-spec-accepted')).toContainText(/\d+\s?% of [\d,]+ guessed tokens kept/);
  await expect(stats.getByTestId('reply-spec-per-pass')).toContainText(/\d\.\d\d tokens per model pass/);
});
