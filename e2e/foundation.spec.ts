/**
 * A new user's first session, in Chromium against the headless app and the real llama-server: open the printed URL,
 * get clear errors for bad paths, load the model with progress, chat with a streamed reply, stop it mid-way, see
 * tokens/s and TTFT, stop the model and start it again, and switch the language.
 */
import { expect, test, type Page } from '@playwright/test';
import { appUrl, rpc } from './app';

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

async function open(page: Page) {
  await page.goto(appUrl());
  await expect(page.getByTestId('status-pill')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test('opens the printed URL, keeps the token out of the address bar, and shows nothing loaded', async ({ page }) => {
  await open(page);
  expect(page.url()).not.toContain('token=');
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped');
  // A reload still works: the page kept the token for this tab.
  await page.reload();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('conn-banner')).toHaveCount(0);
});

test('explains bad model paths instead of failing silently', async ({ page }) => {
  await open(page);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  for (const [path, code, text] of [
    ['/nonexistent/model.gguf', 'MODEL_NOT_FOUND', /No file at \/nonexistent\/model\.gguf/],
    ['/etc/hostname', 'MODEL_NOT_GGUF', /is not a GGUF model file/],
  ] as const) {
    await input.fill(path);
    await page.getByTestId('model-start').click();
    const err = page.getByTestId('model-error');
    await expect(err).toHaveAttribute('data-code', code);
    await expect(err).toContainText(text);
  }
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', /stopped|crashed/);
});

test('loads the model, streams a reply, stops it mid-way, and shows speed for a finished one', async ({ page }) => {
  await open(page);
  await page.getByTestId('nav-model').click();
  await page.getByTestId('model-path-input').fill(model());
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('model-info')).toContainText('DeepLocal Test Tiny');

  await page.getByTestId('nav-chat').click();
  // The synthetic model never ends a reply by itself: this one runs until we stop it.
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95 } });
  await page.getByTestId('chat-input').fill('Tell me a long story');
  await page.getByTestId('chat-input').press('Enter');
  await expect(page.getByTestId('message-user').last()).toContainText('Tell me a long story');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  // Text grows while streaming.
  await expect.poll(async () => (await reply.innerText()).length, { timeout: 15_000 }).toBeGreaterThan(80);
  const before = (await reply.innerText()).length;
  await expect.poll(async () => (await reply.innerText()).length).toBeGreaterThan(before);
  await page.getByTestId('chat-stop').click();
  await expect(reply).toHaveAttribute('data-streaming', 'false');
  await expect(reply).toHaveAttribute('data-stopped', 'true');
  const stoppedLength = (await reply.innerText()).length;
  await page.waitForTimeout(500);
  expect((await reply.innerText()).length).toBe(stoppedLength);

  // A reply that finishes (max_tokens) shows tokens/s and time to first token.
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 48 } });
  await page.getByTestId('chat-input').fill('And a short one');
  const replies = await page.getByTestId('message-assistant').count();
  await page.getByTestId('chat-send').click();
  // The new reply by its place, not last(): until it exists, last() is the stopped one, already "not streaming".
  const second = page.getByTestId('message-assistant').nth(replies);
  // Generous: on a loaded 2-core machine the tiny model can slow to tens of tokens/s.
  await expect(second).toHaveAttribute('data-streaming', 'false', { timeout: 60_000 });
  await expect(second).toHaveAttribute('data-stopped', 'false');
  const stats = second.getByTestId('reply-stats');
  await expect(stats).toContainText(/tok\/s/);
  await expect(stats).toContainText(/ms/);
  await expect(stats).toContainText(/48/);
});

test('the core keeps the conversation: it reopens from the list and from its URL after a reload', async ({ page }) => {
  await open(page);
  // The conversation of the test above, found by its first question.
  const list = await rpc<{ id: string }[]>('conversations.list', {});
  let id: string | null = null;
  for (const c of list) {
    const d = await rpc<{ messages: { role: string; content: string }[] }>('conversations.get', { id: c.id });
    if (d.messages[0]?.content === 'Tell me a long story') id = c.id;
  }
  expect(id).not.toBeNull();
  await page.getByTestId('nav-chat').click();
  const item = page.locator(`[data-testid="conv-item"][data-id="${id}"]`);
  await item.locator('.history-open').click();
  await expect(page).toHaveURL(new RegExp(`#/chat/${id}$`));
  const check = async () => {
    await expect(page.getByTestId('message-user')).toHaveCount(2);
    await expect(page.getByTestId('message-user').first()).toContainText('Tell me a long story');
    await expect(page.getByTestId('message-assistant').first()).toHaveAttribute('data-stopped', 'true');
    await expect(page.getByTestId('message-assistant').last().getByTestId('reply-stats')).toContainText(/tok\/s/);
  };
  await check();
  await page.reload();
  await check();
  await rpc('conversations.delete', { id });
  await expect(item).toHaveCount(0);
});

test('stops the model and starts it again', async ({ page }) => {
  await open(page);
  await page.getByTestId('nav-model').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('model-stop').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped');
  await page.getByTestId('model-path-input').fill(model());
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
});

test('with a model running, a click on Model (the start page) before the first status keeps the Model page', async ({
  page,
}) => {
  // A running model opens the chat by default, but not over a page the user picked, even the one already shown.
  // A slow link: what the app sends the page is held until the click (the first status then comes after it).
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer();
    const held: (string | Buffer)[] = [];
    let open = false;
    server.onMessage((m) => (open ? ws.send(m) : held.push(m)));
    void released.then(() => {
      open = true;
      for (const m of held.splice(0)) ws.send(m);
    });
  });
  await page.goto(appUrl());
  await page.getByTestId('nav-model').click();
  release();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('main.content')).toHaveAttribute('data-view', 'model');
  await expect(page.getByTestId('model-stop')).toBeVisible();
  // Without a click the default stands: the chat.
  await page.goto(appUrl());
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('main.content')).toHaveAttribute('data-view', 'chat');
});

test('switches to Simplified Chinese, translates errors, and remembers the choice', async ({ page }) => {
  await open(page);
  await page.getByTestId('lang-select').selectOption('zh-CN');
  await expect(page.getByTestId('nav-chat')).toContainText('对话');
  await expect(page.getByTestId('nav-model')).toContainText('模型');
  await page.getByTestId('nav-model').click();
  await page.getByTestId('model-stop').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped');
  await page.getByTestId('model-path-input').fill('/nonexistent/模型.gguf');
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('model-error')).toContainText('/nonexistent/模型.gguf 不存在');
  // Persisted in settings: a fresh page comes up in Chinese.
  await page.reload();
  await expect(page.getByTestId('nav-chat')).toContainText('对话');
  await page.getByTestId('lang-select').selectOption('en');
  await expect(page.getByTestId('nav-chat')).toContainText('Chat');
});
