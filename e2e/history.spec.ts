/**
 * The conversation history (issue 13 §2) in Chromium against the headless app and its SQLite store: groups by day
 * with pinned ones on top, rename inline, pin, delete with Undo, full-text search with the hits marked, and export
 * (one as Markdown, all as JSON) imported back as new conversations; a file that is not ours is refused, translated.
 * Conversations are seeded through our own import (no model needed): the same JSON format the export writes.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import fs from 'node:fs';
import { appUrl, rpc } from './app';
import { exportFile, seedConversation } from './chat-helpers';

const DAY = 24 * 3600 * 1000;
const now = Date.now();

const seedFile = () =>
  exportFile([
    seedConversation(
      'Orchard notes',
      now - 60_000,
      'When should I prune an apple tree?',
      'Prune apple trees while they are dormant, in late winter.',
    ),
    seedConversation('Kernel build', now - 3 * DAY, 'How do I build the kernel?', 'Run make with the right config.'),
    seedConversation(
      'Ancient question',
      now - 40 * DAY,
      'What is a quokka?',
      'A small marsupial from Rottnest Island.',
    ),
  ]);

let ids: string[] = [];
/** Conversations other specs left in the shared app: kept; everything this spec made is deleted after it. */
let others = new Set<string>();

test.beforeAll(async () => {
  others = new Set((await rpc<{ id: string }[]>('conversations.list', {})).map((c) => c.id));
  ({ ids } = await rpc<{ ids: string[] }>('conversations.import', { text: seedFile() }));
});

test.afterAll(async () => {
  const list = await rpc<{ id: string }[]>('conversations.list', {});
  for (const c of list) if (!others.has(c.id)) await rpc('conversations.delete', { id: c.id });
});

const row = (page: Page, id: string) => page.locator(`[data-testid="conv-item"][data-id="${id}"]`);
const group = (page: Page, key: string) => page.getByTestId(`history-group-${key}`);

async function open(page: Page) {
  await page.goto(`${appUrl()}#/chat`);
  await expect(page.getByTestId('conv-list')).toBeVisible();
}

async function menu(item: Locator, action: string) {
  await item.hover();
  await item.getByTestId('conv-menu').click();
  await item.getByTestId(`menu-${action}`).click();
}

test('grouped by Today / Previous 7 days / Older; rename inline; pin puts it on top', async ({ page }) => {
  const [orchard, kernel, ancient] = ids as [string, string, string];
  await open(page);
  await expect(group(page, 'today').locator(`[data-id="${orchard}"]`)).toBeVisible();
  await expect(group(page, 'week').locator(`[data-id="${kernel}"]`)).toBeVisible();
  await expect(group(page, 'older').locator(`[data-id="${ancient}"]`)).toBeVisible();

  await menu(row(page, kernel), 'rename');
  const input = row(page, kernel).getByTestId('conv-rename');
  await expect(input).toBeFocused();
  await input.fill('Kernel build, renamed');
  await input.press('Enter');
  await expect(row(page, kernel).getByTestId('conv-title')).toHaveText('Kernel build, renamed');
  const detail = await rpc<{ title: string; titleAuto: boolean }>('conversations.get', { id: kernel });
  expect(detail).toMatchObject({ title: 'Kernel build, renamed', titleAuto: false });

  // Escape leaves the title as it was.
  await menu(row(page, kernel), 'rename');
  await row(page, kernel).getByTestId('conv-rename').fill('Not this');
  await row(page, kernel).getByTestId('conv-rename').press('Escape');
  await expect(row(page, kernel).getByTestId('conv-title')).toHaveText('Kernel build, renamed');

  await menu(row(page, ancient), 'pin');
  await expect(group(page, 'pinned').locator(`[data-id="${ancient}"]`)).toBeVisible();
  await expect(group(page, 'older')).toHaveCount(0);
  // Pinned ones come first in the panel.
  await expect(page.getByTestId('conv-item').first()).toHaveAttribute('data-id', ancient);
  await menu(row(page, ancient), 'unpin');
  await expect(group(page, 'older').locator(`[data-id="${ancient}"]`)).toBeVisible();
});

test('delete with Undo brings the conversation back', async ({ page }) => {
  const orchard = ids[0]!;
  await open(page);
  await row(page, orchard).locator('.history-open').click();
  await expect.poll(() => new URL(page.url()).hash).toBe(`#/chat/${orchard}`);
  await menu(row(page, orchard), 'delete');
  await expect(row(page, orchard)).toHaveCount(0);
  // The chat page leaves the deleted conversation for a new chat.
  await expect.poll(() => new URL(page.url()).hash).toBe('#/chat');
  const toast = page.locator('[data-testid="toast"][data-kind="conversation-deleted"]');
  await expect(toast).toContainText('Deleted “Orchard notes”');
  await toast.getByTestId('toast-action').click();
  await expect(row(page, orchard)).toBeVisible();
  await expect.poll(() => new URL(page.url()).hash).toBe(`#/chat/${orchard}`);
  const list = await rpc<{ id: string }[]>('conversations.list', {});
  expect(list.map((c) => c.id)).toContain(orchard);
});

test('full-text search marks the hits; a hit opens its conversation', async ({ page }) => {
  const orchard = ids[0]!;
  await open(page);
  await page.getByTestId('history-search').fill('dormant');
  const hit = page.locator(`[data-testid="search-hit"][data-id="${orchard}"]`);
  await expect(hit).toBeVisible();
  await expect(hit.locator('mark')).toHaveText(['dormant']);
  await expect(hit.getByTestId('hit-snippet')).toContainText('while they are dormant');
  // Snippets are text: markup typed into a message is never rendered.
  await hit.locator('.history-open').click();
  await expect.poll(() => new URL(page.url()).hash).toBe(`#/chat/${orchard}`);

  await page.getByTestId('history-search').fill('zzzqqq-nothing');
  await expect(page.getByTestId('search-none')).toBeVisible();
  await page.getByTestId('history-search').press('Escape');
  await expect(page.getByTestId('history-search')).toHaveValue('');
  await expect(row(page, orchard)).toBeVisible();
});

test('a hit deep in a long conversation opens it scrolled to that message', async ({ page }) => {
  // 80 messages: the thread opens at its end, the hit is near the top.
  const long = seedConversation('Long thread', now, 'first question', 'first answer');
  long.messages = Array.from({ length: 80 }, (_, i) => ({
    ...long.messages[i % 2]!,
    id: `m${i + 1}`,
    parentId: i === 0 ? null : `m${i}`,
    content: i === 5 ? 'The xylophone answer is here.' : `Message number ${i + 1}. ${'Filler text. '.repeat(20)}`,
  }));
  long.leafId = 'm80';
  long.messageCount = 80;
  const {
    ids: [id],
  } = await rpc<{ ids: string[] }>('conversations.import', {
    text: exportFile([long]),
  });
  await open(page);
  await page.getByTestId('history-search').fill('xylophone');
  const hit = page.locator(`[data-testid="search-hit"][data-id="${id}"]`);
  await expect(hit.locator('mark')).toHaveText(['xylophone']);
  const messageId = await hit.getAttribute('data-message-id');
  expect(messageId).toBeTruthy();
  await hit.locator('.history-open').click();
  await expect.poll(() => new URL(page.url()).hash).toBe(`#/chat/${id}`);
  await expect(page.locator(`[data-testid="message-assistant"][data-id="${messageId}"]`)).toBeInViewport();
  await rpc('conversations.delete', { id: id! });
});

test('search renders a message holding markup as text', async ({ page }) => {
  const {
    ids: [id],
  } = await rpc<{ ids: string[] }>('conversations.import', {
    text: exportFile([
      seedConversation('Markup', now, 'Explain <img src=x onerror="window.__pwned=1"> tags', 'It is an image tag.'),
    ]),
  });
  await open(page);
  await page.getByTestId('history-search').fill('onerror');
  const hit = page.locator(`[data-testid="search-hit"][data-id="${id}"]`);
  await expect(hit.locator('mark')).toHaveText(['onerror']);
  await expect(hit.locator('img')).toHaveCount(0);
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  await rpc('conversations.delete', { id });
});

test('export one as Markdown, all as JSON, and import the JSON back as new conversations', async ({ page }) => {
  const orchard = ids[0]!;
  await open(page);

  const md = page.waitForEvent('download');
  await menu(row(page, orchard), 'export-markdown');
  const mdFile = await md;
  expect(mdFile.suggestedFilename()).toMatch(/\.md$/);
  const mdText = fs.readFileSync((await mdFile.path())!, 'utf8');
  expect(mdText).toContain('# Orchard notes');
  expect(mdText).toContain('Prune apple trees while they are dormant');

  const before = await rpc<{ id: string; title: string }[]>('conversations.list', {});
  const json = page.waitForEvent('download');
  await page.getByTestId('history-export-all').click();
  await page.getByTestId('menu-export-all-json').click();
  const jsonFile = await json;
  expect(jsonFile.suggestedFilename()).toMatch(/\.json$/);
  const path = (await jsonFile.path())!;
  const exported = JSON.parse(fs.readFileSync(path, 'utf8')) as { conversations: { title: string }[] };
  expect(exported.conversations).toHaveLength(before.length);

  await page.getByTestId('history-import-file').setInputFiles(path);
  await expect(page.getByTestId('history-imported')).toHaveText(`Conversations imported: ${before.length}.`);
  const after = await rpc<{ id: string; title: string }[]>('conversations.list', {});
  expect(after).toHaveLength(before.length * 2);
  // New ids: the originals are still there, and the copies are separate conversations.
  expect(after.filter((c) => c.title === 'Orchard notes')).toHaveLength(2);
  await expect(page.locator('[data-testid="conv-item"]')).toHaveCount(after.length);
});

test('a file that is not ours is refused with the translated IMPORT_INVALID', async ({ page }) => {
  await open(page);
  const before = await rpc<unknown[]>('conversations.list', {});
  await page.getByTestId('history-import-file').setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"deeplocal.conversations","version":1,"conversations":[{"id":'),
  });
  const error = page.getByTestId('history-error');
  await expect(error).toHaveAttribute('data-code', 'IMPORT_INVALID');
  await expect(error).toContainText('This file is not a DeepLocal conversation export');
  await page.getByTestId('history-import-file').setInputFiles({
    name: 'empty.json',
    mimeType: 'application/json',
    buffer: Buffer.from(''),
  });
  await expect(error).toContainText('the file is empty');
  expect(await rpc<unknown[]>('conversations.list', {})).toHaveLength(before.length);
});

test('a conversation whose reply is streaming shows it in the list, until it stops', async ({ page }) => {
  test.setTimeout(90_000);
  await rpc('backend.start', { modelPath: process.env.DEEPLOCAL_E2E_MODEL! });
  await expect
    .poll(async () => (await rpc<{ state: string }>('backend.status', {})).state, { timeout: 30_000 })
    .toBe('ready');
  try {
    const conv = await rpc<{ id: string }>('conversations.create', { title: 'Streaming one' });
    await open(page);
    // The synthetic model never ends a reply by itself: this one streams until it is stopped.
    await rpc('chat.send', { conversationId: conv.id, content: 'Tell me a long story' });
    const item = row(page, conv.id);
    await expect(item).toHaveAttribute('data-streaming', 'true');
    await expect(item.getByTestId('conv-streaming')).toBeVisible();
    await rpc('chat.stop', { conversationId: conv.id });
    await expect(item).toHaveAttribute('data-streaming', 'false');
    await expect(item.getByTestId('conv-streaming')).toHaveCount(0);
  } finally {
    await rpc('backend.stop', {});
  }
});
