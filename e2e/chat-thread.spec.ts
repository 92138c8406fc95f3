/**
 * The chat as a place to live, in Chromium against the headless app and the real llama-server (tiny synthetic model):
 * a reload mid-reply keeps the question and the whole reply (the core owns the conversation and the page picks the
 * stream up again); regenerate keeps versions ‹ 2/2 ›; an edit makes a branch; Esc stops and Continue goes on in the
 * same message; copy as Markdown and as plain text; a text file attached (a binary one refused); ↑ edits the last
 * question; the context meter counts with the backend.
 */
import { expect, test } from '@playwright/test';
import type { ConversationListItem } from '../electron/shared/chat-schemas';
import { rpc } from './app';
import { chatSuite, getConversation, idOf, open, sendFromComposer, threadOf } from './chat-helpers';

chatSuite();

test('a reload mid-reply keeps the question and the whole reply, and the stream goes on', async ({ page }) => {
  test.setTimeout(240_000);
  // Long enough to reload in the middle, finite so that it ends by itself.
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 300 } });
  await open(page);
  await sendFromComposer(page, 'Tell me a long story about the sea');
  await expect(page).toHaveURL(/#\/chat\/[A-Za-z0-9_-]+/);
  const id = idOf(page)!;
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  await expect
    .poll(async () => Number(await reply.getAttribute('data-chars')), { timeout: 90_000 })
    .toBeGreaterThan(40);
  const before = Number(await reply.getAttribute('data-chars'));

  await page.reload();
  await expect(page).toHaveURL(new RegExp(`#/chat/${id}$`));
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  await expect(page.getByTestId('message-user')).toContainText('Tell me a long story about the sea');
  const again = page.getByTestId('message-assistant').last();
  // The text so far came with the conversation; the stream keeps adding to it, then the reply ends.
  await expect.poll(async () => Number(await again.getAttribute('data-chars'))).toBeGreaterThanOrEqual(before);
  // Generous: on a loaded 2-core machine the tiny model can slow to a few tokens per second.
  await expect(again).toHaveAttribute('data-streaming', 'false', { timeout: 180_000 });

  const saved = await getConversation(id);
  const [question, answer] = threadOf(saved);
  expect(question).toMatchObject({ role: 'user', content: 'Tell me a long story about the sea' });
  expect(answer).toMatchObject({ role: 'assistant', status: 'done', finishReason: 'length' });
  expect(answer!.timings?.predictedTokens).toBe(300);
  // Every character the core kept is on the page, none twice (a replayed delta) and none missing (a gap).
  await expect(again).toHaveAttribute('data-chars', String(answer!.content.length + answer!.reasoning.length));
  await expect(again.getByTestId('reply-stats')).toContainText('300 out');
  await expect(again.getByTestId('reply-ended')).toHaveText('Cut at the length limit');
});

test('regenerate keeps versions: 2/2, and ‹ shows the first again', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 24 } });
  await open(page);
  await sendFromComposer(page, 'Name a colour');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  const first = (await reply.getAttribute('data-id'))!;

  await reply.hover();
  await reply.getByTestId('msg-regenerate').click();
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  const second = page.getByTestId('message-assistant').last();
  await expect(second).not.toHaveAttribute('data-id', first);
  await expect(second).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  await expect(second.getByTestId('msg-version-count')).toHaveText('2/2');

  await second.getByTestId('msg-version-prev').click();
  const back = page.getByTestId('message-assistant').last();
  await expect(back).toHaveAttribute('data-id', first);
  await expect(back.getByTestId('msg-version-count')).toHaveText('1/2');
  // The core remembers the version on screen: a reload shows the same one.
  await page.reload();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-id', first);
});

test('an edit makes a branch; the earlier question and its reply stay reachable', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 16 } });
  await open(page);
  await sendFromComposer(page, 'What is two plus two?');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  const firstReply = (await page.getByTestId('message-assistant').last().getAttribute('data-id'))!;

  // ↑ in the empty composer edits the last question.
  await page.getByTestId('chat-input').focus();
  await page.getByTestId('chat-input').press('ArrowUp');
  const edit = page.getByTestId('edit-input');
  await expect(edit).toHaveValue('What is two plus two?');
  await edit.fill('What is three plus three?');
  await edit.press('Enter');
  const user = page.getByTestId('message-user').last();
  await expect(user).toContainText('What is three plus three?');
  await expect(user.getByTestId('msg-version-count')).toHaveText('2/2');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('message-assistant').last()).not.toHaveAttribute('data-id', firstReply);

  await user.hover();
  await user.getByTestId('msg-version-prev').click();
  await expect(page.getByTestId('message-user').last()).toContainText('What is two plus two?');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-id', firstReply);

  const saved = await getConversation(idOf(page)!);
  expect(saved.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
    'What is two plus two?',
    'What is three plus three?',
  ]);
});

test('Esc stops the reply, its real figures show, and Continue goes on in the same message', async ({ page }) => {
  test.setTimeout(180_000);
  // The synthetic model never ends a reply by itself: without max_tokens this one runs until stopped.
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95 } });
  await open(page);
  await sendFromComposer(page, 'Count forever');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  await expect
    .poll(async () => Number(await reply.getAttribute('data-chars')), { timeout: 60_000 })
    .toBeGreaterThan(20);
  await page.keyboard.press('Escape');
  await expect(reply).toHaveAttribute('data-streaming', 'false');
  await expect(reply).toHaveAttribute('data-stopped', 'true');
  await expect(reply.getByTestId('reply-ended')).toHaveText('Stopped');
  // The prompt's real token count from the backend, not "0 in".
  const stats = reply.getByTestId('reply-stats');
  await expect(stats).toContainText(/[1-9][\d,]* in/);
  const id = (await reply.getAttribute('data-id'))!;
  const stopped = Number(await reply.getAttribute('data-chars'));

  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 16 } });
  await reply.getByTestId('msg-continue').click();
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  await expect(reply).toHaveAttribute('data-id', id);
  // The click only starts the request: until the first delta the stopped reply still reads "not streaming", so wait
  // for its text to grow first (a wait for data-streaming=false alone passed at once, before Continue had begun).
  await expect
    .poll(async () => Number(await reply.getAttribute('data-chars')), { timeout: 90_000 })
    .toBeGreaterThan(stopped);
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  // The same message in the core, now ended at the 16 tokens Continue was given, holding all the text on the page.
  const [, answer] = threadOf(await getConversation(idOf(page)!));
  expect(answer).toMatchObject({ id, status: 'done', finishReason: 'length' });
  await expect(reply).toHaveAttribute('data-chars', String(answer!.content.length + answer!.reasoning.length));
});

test('copy as Markdown and as plain text; delete a reply', async ({ page, context }) => {
  test.setTimeout(180_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 24 } });
  await open(page);
  await sendFromComposer(page, 'Say something');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  const saved = threadOf(await getConversation(idOf(page)!));
  const content = saved[1]!.content;

  await reply.hover();
  await reply.getByTestId('msg-copy').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(content);
  await reply.getByTestId('msg-copy-plain').click();
  const plain = await reply.locator('.markdown').innerText();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(plain);

  const user = page.getByTestId('message-user').last();
  await user.hover();
  await user.getByTestId('msg-copy').click();
  await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe('Say something');

  // Delete asks once more, then the reply is gone from the page and from the conversation.
  await reply.hover();
  await reply.getByTestId('msg-delete').click();
  await reply.getByTestId('msg-delete-confirm').click();
  await expect(page.getByTestId('message-assistant')).toHaveCount(0);
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  await expect.poll(async () => (await getConversation(idOf(page)!)).messages.map((m) => m.role)).toEqual(['user']);
  // A question left without a reply can be asked again (a new version of it, with its reply).
  const question = page.getByTestId('message-user').last();
  await question.hover();
  await question.getByTestId('msg-resend').click();
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('message-user').last().getByTestId('msg-version-count')).toHaveText('2/2');
});

test('attaches a text file (shown as a chip, sent with the message), refuses a binary one', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 8 } });
  await open(page);
  const input = page.getByTestId('chat-attach-input');
  const notes = '# Notes\n\nThe meeting is on Tuesday.\n';
  await input.setInputFiles([
    { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(notes) },
    { name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2]) },
  ]);
  const chips = page.getByTestId('attach-chip');
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toContainText('notes.md');
  await expect(page.getByTestId('attach-refused')).toContainText('pixel.png is not a text file');

  // Removable; attached again, then sent with a question.
  await chips.first().getByTestId('attach-remove').click();
  await expect(chips).toHaveCount(0);
  await input.setInputFiles({ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(notes) });
  await expect(chips).toHaveCount(1);
  await sendFromComposer(page, 'When is the meeting?');
  await expect(chips).toHaveCount(0);
  const user = page.getByTestId('message-user').last();
  await expect(user.getByTestId('message-attachments')).toContainText('notes.md');
  await expect(page.getByTestId('message-assistant').last()).toHaveAttribute('data-streaming', 'false', {
    timeout: 90_000,
  });
  const [question] = threadOf(await getConversation(idOf(page)!));
  expect(question!.attachments).toEqual([{ name: 'notes.md', text: notes }]);

  // The context meter counts the thread with the backend's tokenizer.
  const meter = page.getByTestId('context-meter');
  await expect(meter).toBeVisible();
  // Counted again once the reply ended: the question, the file and the reply.
  await expect.poll(async () => Number(await meter.getAttribute('data-used'))).toBeGreaterThan(10);
  expect(Number(await meter.getAttribute('data-limit'))).toBeGreaterThan(0);
});

test('Shift+Enter makes a new line; fork opens a new conversation with the thread so far', async ({ page }) => {
  test.setTimeout(180_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 8 } });
  await open(page);
  const input = page.getByTestId('chat-input');
  await input.fill('first line');
  await input.press('Shift+Enter');
  await input.pressSequentially('second line');
  await expect(input).toHaveValue('first line\nsecond line');
  await input.press('Enter');
  await expect(page.getByTestId('message-user').last()).toContainText('second line');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  const from = idOf(page)!;

  await reply.hover();
  await reply.getByTestId('msg-fork').click();
  await expect.poll(() => idOf(page)).not.toBe(from);
  await expect(page.getByTestId('message-user')).toHaveCount(1);
  await expect(page.getByTestId('message-assistant')).toHaveCount(1);
  const list = await rpc<ConversationListItem[]>('conversations.list', {});
  expect(list.some((c) => c.id === idOf(page))).toBe(true);
});
