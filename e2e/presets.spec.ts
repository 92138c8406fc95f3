/**
 * Settings → Chat (issue 13 §2–3) in Chromium against the headless app: automatic titles on and off, the built-in
 * presets read-only with their names translated by id, a built-in duplicated into a user preset with its prompt and
 * sampling, edited, made the default, and deleted (the default falls back to a built-in).
 */
import { expect, test, type Page } from '@playwright/test';
import type { ChatPreset } from '../electron/shared/chat-schemas';
import type { Settings } from '../electron/shared/schemas';
import { appUrl, rpc } from './app';

const presets = () => rpc<ChatPreset[]>('presets.list', {});
const chatSettings = async () => (await rpc<Settings>('settings.get', {})).chat;
const row = (page: Page, id: string) => page.locator(`[data-testid="preset-row"][data-id="${id}"]`);

async function open(page: Page) {
  await page.goto(`${appUrl()}#/settings`);
  await expect(page.getByTestId('chat-settings')).toBeVisible();
}

test.afterAll(async () => {
  for (const p of await presets()) if (!p.builtin) await rpc('presets.delete', { id: p.id });
  await rpc('settings.update', { chat: { autoTitle: true, defaultPresetId: 'deepseek-r1' } });
  await rpc('settings.update', { language: 'en' });
});

test('automatic titles switch saves settings.chat.autoTitle', async ({ page }) => {
  await open(page);
  const sw = page.getByTestId('chat-auto-title');
  await expect(sw).toBeChecked();
  await sw.click();
  await expect.poll(async () => (await chatSettings()).autoTitle).toBe(false);
  await page.reload();
  await expect(page.getByTestId('chat-auto-title')).not.toBeChecked();
  await page.getByTestId('chat-auto-title').click();
  await expect.poll(async () => (await chatSettings()).autoTitle).toBe(true);
});

test('built-ins are read-only and named by id in each language', async ({ page }) => {
  await open(page);
  const r1 = row(page, 'deepseek-r1');
  await expect(r1).toContainText('DeepSeek-R1 (recommended)');
  await expect(r1).toContainText('Built-in');
  await expect(r1.getByTestId('preset-edit')).toHaveCount(0);
  await expect(r1.getByTestId('preset-delete')).toHaveCount(0);
  await expect(row(page, 'coding')).toContainText('Coding');
  await page.getByTestId('lang-select').selectOption('zh-CN');
  await expect(r1).toContainText('DeepSeek-R1（推荐）');
  await expect(row(page, 'coding')).toContainText('编程');
  await page.getByTestId('lang-select').selectOption('en');
  await expect(r1).toContainText('DeepSeek-R1 (recommended)');
});

test('duplicate a built-in, edit the copy, make it the default, delete it', async ({ page }) => {
  await open(page);
  await row(page, 'deepseek-r1').getByTestId('preset-duplicate').click();
  const form = page.getByTestId('preset-form');
  // The copy starts with the built-in's guidance: no system prompt, instructions in the user turn, 0.6 / 0.95.
  await expect(form.getByTestId('preset-name')).toHaveValue('DeepSeek-R1 (recommended) (copy)');
  await expect(form.getByTestId('preset-user-turn')).toBeChecked();
  await expect(form.getByTestId('preset-temperature')).toHaveValue('0.6');
  await expect(form.getByTestId('preset-top_p')).toHaveValue('0.95');
  await form.getByTestId('preset-name').fill('My R1');
  await form.getByTestId('preset-top_k').fill('40');
  await form.getByTestId('preset-seed').fill('7');
  await form.getByTestId('preset-save').click();
  await expect(form).toHaveCount(0);

  const mine = (await presets()).find((p) => p.name === 'My R1');
  expect(mine).toMatchObject({
    builtin: false,
    systemPrompt: null,
    instructionsInUserTurn: true,
    sampling: { temperature: 0.6, top_p: 0.95, top_k: 40, seed: 7 },
  });
  const id = mine!.id;
  await expect(row(page, id)).toContainText('My R1');

  await row(page, id).getByTestId('preset-edit').click();
  await page.getByTestId('preset-system').fill('Answer in one sentence.');
  await page.getByTestId('preset-temperature').fill('');
  await page.getByTestId('preset-save').click();
  await expect
    .poll(async () => (await presets()).find((p) => p.id === id))
    .toMatchObject({ systemPrompt: 'Answer in one sentence.', sampling: { top_p: 0.95, top_k: 40, seed: 7 } });
  expect((await presets()).find((p) => p.id === id)!.sampling.temperature).toBeUndefined();
  await expect(row(page, id)).toContainText('Answer in one sentence.');

  await page.getByTestId('chat-default-preset').selectOption(id);
  await expect.poll(async () => (await chatSettings()).defaultPresetId).toBe(id);

  // A preset without a name is not saved.
  await page.getByTestId('preset-new').click();
  await page.getByTestId('preset-name').fill('  ');
  await page.getByTestId('preset-save').click();
  await expect(page.getByTestId('preset-form')).toContainText('A preset needs a name.');
  await page.getByTestId('preset-form').getByRole('button', { name: 'Cancel' }).click();

  await row(page, id).getByTestId('preset-delete').click();
  await row(page, id).getByTestId('preset-delete-confirm').click();
  await expect(row(page, id)).toHaveCount(0);
  expect((await presets()).some((p) => p.id === id)).toBe(false);
  await expect.poll(async () => (await chatSettings()).defaultPresetId).toBe('deepseek-r1');
  await expect(page.getByTestId('chat-default-preset')).toHaveValue('deepseek-r1');
});
