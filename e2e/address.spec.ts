/**
 * Settings → Address in the browser (its own headless app, so the shared app's token stays): the page shows the
 * address; New token shows the new URL; the old token stops working at once (this page's own connection included,
 * the banner says so); opening the new URL brings the page back, connected. (A restart keeping it:
 * electron/test/stable-address.int.test.ts.)
 */
import { expect, test } from '@playwright/test';
import { startApp } from './app';

test('New token: the old token stops working at once, the new URL brings the page back', async ({ page }) => {
  const app = await startApp({ profile: 'one-gpu' });
  try {
    const old = new URL(app.url);
    await page.goto(app.url);
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('settings-address-url')).toHaveText(old.origin);

    await page.getByTestId('settings-new-token').click();
    const shown = page.getByTestId('settings-new-url');
    await expect(shown).toContainText(`${old.origin}/?token=`);
    const next = new URL((await shown.textContent())!);
    expect(next.searchParams.get('token')).not.toBe(old.searchParams.get('token'));

    // This page's connection used the old token: it is closed, and the banner says why.
    await expect(page.getByTestId('conn-banner')).toContainText('token changed');
    const refused = await fetch(`${old.origin}/api/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${old.searchParams.get('token')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(401);

    await page.getByRole('link', { name: 'Open' }).click();
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('settings-address-url')).toHaveText(old.origin);
    await expect(page.getByTestId('conn-banner')).toHaveCount(0);
  } finally {
    await app.stop();
  }
});
