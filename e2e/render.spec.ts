/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Rendering and first load (issue 13 §4, §7), in Chromium against the headless app: a reply with prices shows them as
 * text while \( \) and $$ are math; code keeps highlighting and Copy; no console warning while a reply streams from
 * the real llama-server (tiny synthetic model); the first load of the chat page fetches neither KaTeX, nor the
 * highlighter, nor the charts, and gets its scripts brotli-compressed.
 */
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { rpc } from './app';
import { chatSuite, exportFile, idOf, seedConversation, urlWith } from './chat-helpers';

const PRICES = 'The laptop costs $1,599 … the mouse $199, so $1,798 in all.';
const ANSWER = [
  PRICES,
  '',
  'Energy: \\(E = mc^2\\), and on its own line:',
  '',
  '$$',
  '\\int_0^1 x^2 \\, dx = \\frac{1}{3}',
  '$$',
  '',
  '| item | price |',
  '|---|---|',
  '| GPU | $1,599 |',
  '| RAM | $199 |',
  '',
  '```js',
  'const total = 1599 + 199;',
  '```',
].join('\n');

/** Console warnings and errors (and uncaught page errors) from now on. */
function watchConsole(page: Page) {
  const seen: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'warning' || m.type() === 'error') seen.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  return seen;
}

let imported: string[] = [];

chatSuite();

test.afterAll(async () => {
  for (const id of imported) await rpc('conversations.delete', { id });
});

test('prices are text, \\( \\) and $$ are math, code is highlighted with Copy; no console warning', async ({
  page,
}) => {
  ({ ids: imported } = await rpc<{ ids: string[] }>('conversations.import', {
    text: exportFile([seedConversation('Prices and math', Date.now(), 'What do they cost?', ANSWER)]),
  }));
  const problems = watchConsole(page);
  await page.goto(urlWith(`#/chat/${imported[0]}`));
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply.locator('.katex-display')).toHaveCount(1);
  // The paragraph with the prices is plain text: no formula in it, every dollar sign shown.
  const prices = reply.locator('.markdown p').first();
  await expect(prices).toHaveText(PRICES);
  await expect(prices.locator('.katex')).toHaveCount(0);
  // \( \) inline: one inline formula, in the paragraph that has it; KaTeX's CSS arrived with it (its fonts apply).
  const inline = reply.locator('.markdown p', { hasText: 'Energy' }).locator('.katex');
  await expect(inline).toHaveCount(1);
  expect(await inline.evaluate((e) => getComputedStyle(e).fontFamily)).toContain('KaTeX_Main');
  // The table's prices are text too.
  await expect(reply.locator('table')).toContainText('$1,599');
  await expect(reply.locator('table .katex')).toHaveCount(0);
  // Code: highlighted, with its Copy button.
  const code = reply.locator('.code-block');
  await expect(code.locator('.hljs-keyword').first()).toHaveText('const');
  await expect(code.getByRole('button')).toBeVisible();
  expect(problems).toEqual([]);
});

test('a streaming reply writes no console warning, and the DOM of its finished blocks is left alone', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 250 } });
  const problems = watchConsole(page);
  await page.goto(urlWith('#/chat'));
  const input = page.getByTestId('chat-input');
  await expect(input).toBeEnabled();
  await input.fill('Write a long story, in paragraphs.');
  await input.press('Enter');
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  // Count DOM changes to blocks that were already finished while the rest streams.
  await reply.locator('.markdown').first().waitFor();
  await reply.evaluate((el) => {
    const w = window as unknown as { __finishedChanged: string[] };
    w.__finishedChanged = [];
    const md = el.querySelector('.markdown')!;
    // Blocks that were already followed by another one when the previous batch of changes was seen are finished.
    let finished = Math.max(0, md.children.length - 1);
    new MutationObserver((records) => {
      const blocks = [...md.children];
      for (const r of records) {
        if (r.target === md) continue; // blocks added (or the renderer replacing the plain text)
        const i = blocks.findIndex((b) => b.contains(r.target));
        if (i >= 0 && i < finished) w.__finishedChanged.push(`block ${i} of ${blocks.length}: ${r.type}`);
      }
      finished = Math.max(0, blocks.length - 1);
    }).observe(md, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await expect(reply.getByTestId('reply-stats')).toBeVisible({ timeout: 200_000 });
  const blocks = await reply.locator('.markdown > *').count();
  // The tiny model's reply has paragraphs: several blocks, all but the last finished while it streamed.
  expect(blocks).toBeGreaterThan(1);
  expect(
    await page.evaluate(() => (window as unknown as { __finishedChanged: string[] }).__finishedChanged),
    `${blocks} blocks`,
  ).toEqual([]);
  expect(problems).toEqual([]);
  const id = idOf(page);
  if (id) imported.push(id);
});

test('the first load fetches no KaTeX, highlighter or charts, brotli-compressed; the Monitor page brings the charts', async ({
  browser,
}) => {
  // A new context: an empty cache, as a first visit.
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const encodings = new Map<string, string>();
  page.on('response', (r) => {
    const p = new URL(r.url()).pathname;
    requests.push(p);
    // Files too small to gain from compression have no compressed copy.
    const small = Number(r.headers()['content-length']) < 1024;
    encodings.set(p, small ? 'small' : (r.headers()['content-encoding'] ?? 'identity'));
  });
  await page.goto(urlWith('#/chat'));
  await expect(page.getByTestId('chat-input')).toBeEnabled();
  await page.waitForLoadState('networkidle');
  const scripts = requests.filter((p) => p.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((p) => /katex-plugin|highlight-plugin|MonitorPage|KaTeX_/.test(p))).toEqual([]);
  expect(scripts.some((s) => /\/index-.*\.js$/.test(s) && encodings.get(s) === 'br')).toBe(true);
  for (const s of scripts) expect([s, encodings.get(s)]).toEqual([s, expect.stringMatching(/^(br|small)$/)]);
  await page.getByTestId('nav-monitor').click();
  await expect.poll(() => requests.some((p) => /MonitorPage-.*\.js$/.test(p))).toBe(true);
  await context.close();
});
