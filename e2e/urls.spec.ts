/**
 * Page URLs (issue 13 §5) in Chromium against the headless app: every page has its own address, a reload keeps the
 * page, Back and Forward move between pages inside the app, `#/chat/<id>` opens that conversation, and a hostile or
 * stale address lands on a sane page.
 */
import { expect, test, type Page } from '@playwright/test';
import { appUrl, rpc } from './app';

const view = (page: Page) => page.locator('main.content');
const hash = (page: Page) => new URL(page.url()).hash;

async function open(page: Page, h = '') {
  await page.goto(`${appUrl()}${h}`);
  await expect(page.getByTestId('status-pill')).toBeVisible();
}

test('each page has an address; a reload keeps the page', async ({ page }) => {
  await open(page);
  // The first entry of the tab is ours too: the start page is written into the address bar.
  await expect.poll(() => hash(page)).toMatch(/^#\/(model|chat|wizard)$/);
  for (const [nav, h] of [
    ['models', '#/models'],
    ['monitor', '#/monitor'],
    ['settings', '#/settings'],
    ['logs', '#/logs'],
  ] as const) {
    await page.getByTestId(`nav-${nav}`).click();
    await expect(view(page)).toHaveAttribute('data-view', nav);
    expect(hash(page)).toBe(h);
    // The sidebar items are links to those addresses (open in a new tab, copy, bookmark).
    await expect(page.getByTestId(`nav-${nav}`)).toHaveAttribute('href', h);
  }
  await page.reload();
  await expect(view(page)).toHaveAttribute('data-view', 'logs');
  expect(hash(page)).toBe('#/logs');
  expect(page.url()).not.toContain('token=');
  await expect(page).toHaveTitle(/Logs · DeepLocal/);
});

test('Back and Forward move between pages inside the app, one entry per page', async ({ page }) => {
  await open(page, '#/models');
  await expect(view(page)).toHaveAttribute('data-view', 'models');
  await page.getByTestId('nav-settings').click();
  await expect(view(page)).toHaveAttribute('data-view', 'settings');
  // Clicking the page already shown adds no entry.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('nav-hardware').click();
  await expect(view(page)).toHaveAttribute('data-view', 'hardware');

  await page.goBack();
  await expect(view(page)).toHaveAttribute('data-view', 'settings');
  expect(hash(page)).toBe('#/settings');
  await page.goBack();
  await expect(view(page)).toHaveAttribute('data-view', 'models');
  expect(hash(page)).toBe('#/models');
  await page.goForward();
  await expect(view(page)).toHaveAttribute('data-view', 'settings');
  await page.goForward();
  await expect(view(page)).toHaveAttribute('data-view', 'hardware');
  expect(new URL(page.url()).origin).toBe(new URL(appUrl()).origin);
});

test('#/chat/<id> opens that conversation, in a new tab as after a reload', async ({ page }) => {
  const a = await rpc<{ id: string }>('conversations.create', { title: 'URL conversation A' });
  const b = await rpc<{ id: string }>('conversations.create', { title: 'URL conversation B' });
  try {
    await open(page, `#/chat/${a.id}`);
    await expect(view(page)).toHaveAttribute('data-view', 'chat');
    const rowA = page.locator(`[data-testid="conv-item"][data-id="${a.id}"]`);
    await expect(rowA).toHaveClass(/active/);
    await expect(page).toHaveTitle(/URL conversation A · DeepLocal/);

    // Opening another one from the list is a new entry; Back returns to the first.
    await page.locator(`[data-testid="conv-item"][data-id="${b.id}"] .history-open`).click();
    await expect.poll(() => hash(page)).toBe(`#/chat/${b.id}`);
    await expect(page).toHaveTitle(/URL conversation B · DeepLocal/);
    await page.goBack();
    await expect.poll(() => hash(page)).toBe(`#/chat/${a.id}`);
    await expect(rowA).toHaveClass(/active/);

    await page.reload();
    await expect(view(page)).toHaveAttribute('data-view', 'chat');
    await expect(rowA).toHaveClass(/active/);
  } finally {
    await rpc('conversations.delete', { id: a.id });
    await rpc('conversations.delete', { id: b.id });
  }
});

test('hostile or unknown addresses land on a sane page', async ({ page }) => {
  // (Opened on a named page first: on a fresh app, a start without a page may open the setup wizard instead.)
  await open(page, '#/settings');
  await expect(view(page)).toHaveAttribute('data-view', 'settings');
  await page.evaluate("location.hash = '#/no-such-page'");
  await expect(view(page)).toHaveAttribute('data-view', 'model');
  await expect.poll(() => hash(page)).toBe('#/model');

  // Not a conversation id: a new chat, and nothing is asked of the core with it.
  await page.evaluate("location.hash = '#/chat/..%2F..%2Fsettings'");
  await expect(view(page)).toHaveAttribute('data-view', 'chat');
  await expect.poll(() => hash(page)).toBe('#/chat');
  await expect(page.locator('[data-testid="conv-item"].active')).toHaveCount(0);
});
