/**
 * The chat, continued (see chat-thread.spec.ts): the header (preset, system prompt, the model's default preset), a
 * message bigger than the context (warning, then the choice), a 1,000-message conversation virtualized, and a second
 * window on the same conversation following the stream live; "Send without the oldest turns" when a message fits only
 * without them.
 */
import { expect, test } from '@playwright/test';
import type { ContextUsage } from '../electron/shared/chat-schemas';
import type { Settings } from '../electron/shared/schemas';
import { rpc } from './app';
import { chatSuite, getConversation, idOf, model, open, sendFromComposer, threadOf } from './chat-helpers';

chatSuite();

test('the header: a preset, the system prompt, and the preset as this model’s default', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 8 } });
  await open(page);
  // Chosen before the first message: the conversation is created with it.
  await page.getByTestId('preset-select').selectOption('coding');
  await sendFromComposer(page, 'Write a loop');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  const id = idOf(page)!;
  expect((await getConversation(id)).presetId).toBe('coding');

  await page.getByTestId('system-edit').click();
  await page.getByTestId('system-input').fill('Answer in one short sentence.');
  await page.getByTestId('system-save').click();
  await expect(page.getByTestId('system-preview')).toHaveText('Answer in one short sentence.');
  await expect.poll(async () => (await getConversation(id)).systemPrompt).toBe('Answer in one short sentence.');

  await page.getByTestId('preset-select').selectOption('balanced');
  await expect.poll(async () => (await getConversation(id)).presetId).toBe('balanced');
  const modelFile = model().split('/').pop()!;
  await page.getByTestId('preset-model-default').check();
  await expect
    .poll(async () => (await rpc<Settings>('settings.get', {})).chat.presetByModel[modelFile])
    .toBe('balanced');
  // A new chat with this model starts with it.
  await page.getByTestId('chat-new').click();
  await expect(page.getByTestId('preset-select')).toHaveValue('balanced');
  await page.getByTestId('preset-model-default').uncheck();
  await expect
    .poll(async () => (await rpc<Settings>('settings.get', {})).chat.presetByModel[modelFile])
    .toBeUndefined();
});

test('a message bigger than the context: a warning first, then a clear choice; Back to editing keeps it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 8 } });
  await open(page);
  await sendFromComposer(page, 'Hello');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  const meter = page.getByTestId('context-meter');
  await expect(meter).toHaveAttribute('data-level', 'ok');
  const limit = Number(await meter.getAttribute('data-limit'));
  // Far more words than the context holds, pasted at once.
  const huge = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(limit / 2));
  await page.getByTestId('chat-input').fill(huge);
  await expect(meter).toHaveAttribute('data-level', 'over');
  await expect(page.getByTestId('context-warn')).toHaveText('The next message would not fit in the context.');

  await page.getByTestId('chat-input').press('Enter');
  const choice = page.getByTestId('overflow-choice');
  await expect(choice).toBeVisible();
  await expect(choice.getByTestId('overflow-summarize')).toBeVisible();
  await expect(choice.getByTestId('overflow-drop')).toBeVisible();
  // Nothing was stored: the conversation still holds the first exchange only.
  expect((await getConversation(idOf(page)!)).messages).toHaveLength(2);
  await choice.getByTestId('overflow-cancel').click();
  await expect(choice).toHaveCount(0);
  await expect(page.getByTestId('chat-input')).toHaveValue(huge);
});

test('a conversation of 1,000 messages (500 KB) opens at its end and renders only what is on screen', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const t0 = Date.now() - 3600_000;
  const messages = Array.from({ length: 1000 }, (_, i) => ({
    id: `m${i}`,
    parentId: i === 0 ? null : `m${i - 1}`,
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `Message ${i}. ${'All work and no play makes a long conversation. '.repeat(10)}`,
    reasoning: '',
    attachments: [],
    createdAt: t0 + i,
    status: 'done',
    finishReason: i % 2 === 0 ? null : 'stop',
    timings: null,
    error: null,
    reasoningMs: null,
    model: i % 2 === 0 ? null : 'Test',
  }));
  const text = JSON.stringify({
    format: 'deeplocal.conversations',
    version: 1,
    conversations: [
      {
        id: 'long',
        title: 'A long conversation',
        createdAt: t0,
        updatedAt: t0,
        model: 'Test',
        pinned: false,
        messageCount: 1000,
        streaming: false,
        titleAuto: false,
        systemPrompt: null,
        presetId: null,
        leafId: 'm999',
        messages,
      },
    ],
  });
  expect(text.length).toBeGreaterThan(500_000);
  const { ids } = await rpc<{ ids: string[] }>('conversations.import', { text });
  const id = ids[0]!;
  try {
    await open(page, `#/chat/${id}`);
    const last = page.getByTestId('message-assistant').last();
    await expect(last).toContainText('Message 999.');
    await expect(last).toBeInViewport();
    const mounted = await page.locator('.msg').count();
    expect(mounted).toBeLessThan(60);
    // Scrolled to the top, the first message is there (and the last one is no longer mounted).
    await expect
      .poll(
        async () => {
          await page.locator('.thread').evaluate((el) => el.scrollTo({ top: 0 }));
          return page.getByTestId('message-user').first().innerText();
        },
        { timeout: 20_000 },
      )
      .toContain('Message 0.');
    expect(await page.locator('.msg').count()).toBeLessThan(60);
  } finally {
    await rpc('conversations.delete', { id });
  }
});

test('a second window on the same conversation sees the reply stream live and cannot send over it', async ({
  page,
  context,
}) => {
  test.setTimeout(180_000);
  // No max_tokens: the synthetic model never ends a reply by itself, so it streams until stopped (or the context is
  // full). Both windows are open on the conversation before the question is sent: however fast the tiny model is,
  // the second one sees the reply start (1,500 tokens had sometimes ended before a window opened after the send).
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95 } });
  const { id } = await rpc<{ id: string }>('conversations.create', {});
  await open(page, `#/chat/${id}`);
  const other = await context.newPage();
  await open(other, `#/chat/${id}`);
  await sendFromComposer(page, 'Tell me about lighthouses');
  const mirror = other.getByTestId('message-assistant').last();
  await expect(mirror).toHaveAttribute('data-streaming', 'true');
  const seen = Number(await mirror.getAttribute('data-chars'));
  await expect
    .poll(async () => Number(await mirror.getAttribute('data-chars')), { timeout: 60_000 })
    .toBeGreaterThan(seen);
  // One reply at a time in a conversation: the second window's composer offers Stop, not Send.
  await other.getByTestId('chat-input').fill('Me too');
  await expect(other.getByTestId('chat-stop')).toBeVisible();
  await expect(other.getByTestId('chat-send')).toHaveCount(0);
  // Stopped from the second window rather than waited for: with two browser windows on 2 cores the tiny model's
  // speed swings from hundreds of tokens a second to a few, so waiting for 1,500 tokens has no safe deadline.
  await other.getByTestId('chat-stop').click();
  await expect(mirror).toHaveAttribute('data-streaming', 'false', { timeout: 60_000 });
  // Both windows end with the same text as the core.
  const [, answer] = threadOf(await getConversation(id));
  const chars = String(answer!.content.length + answer!.reasoning.length);
  await expect(mirror).toHaveAttribute('data-chars', chars);
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-chars', chars);
  await other.close();
});

test('when it does not fit with the turns before it, "Send without the oldest turns" sends it', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 8 } });
  await open(page);
  await sendFromComposer(page, 'Hello there, how are you today?');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  const id = idOf(page)!;
  // The longest message that fits on its own (counted by the backend in an empty conversation) does not fit after
  // the first exchange.
  const empty = await rpc<{ id: string }>('conversations.create', {});
  const text = 'lorem ipsum dolor sit amet '.repeat(4000);
  const fits = async (conversationId: string, n: number) =>
    (await rpc<ContextUsage>('chat.context', { conversationId, draft: text.slice(0, n) })).fits;
  let lo = 0;
  let hi = text.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await fits(empty.id, mid)) lo = mid;
    else hi = mid;
  }
  await rpc('conversations.delete', { id: empty.id });
  const draft = text.slice(0, lo).trim();
  expect(await fits(id, draft.length)).toBe(false);

  await page.getByTestId('chat-input').fill(draft);
  await page.getByTestId('chat-input').press('Enter');
  const choice = page.getByTestId('overflow-choice');
  await choice.getByTestId('overflow-drop').click();
  await expect(choice).toHaveCount(0);
  // (The long question fills the screen: the virtualized thread has the first exchange unmounted above it.)
  await expect(page.getByTestId('message-user').last()).toContainText('lorem ipsum');
  // Waited for in the core: on the page, last() can still be the first reply (not streaming) for a moment.
  await expect.poll(async () => threadOf(await getConversation(id))[3]?.status, { timeout: 90_000 }).toBe('done');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false');
  // The oldest turns were left out of the prompt, not out of the conversation.
  const saved = threadOf(await getConversation(id));
  expect(saved.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  expect(saved[2]!.content).toBe(draft);
  expect(saved[3]!.status).toBe('done');
});
