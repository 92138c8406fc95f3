/**
 * Settings → LAN access in Chromium against the headless app: turning it on shows the HTTPS address and the
 * certificate's fingerprint (the one the server really presents); an API key is shown once, works over HTTPS for
 * /metrics, is listed by its prefix and, once revoked after the confirmation, is refused with 401.
 */
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import type { AppInfo } from '../electron/shared/schemas';
import { appUrl, rpc } from './app';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

function get(port: number, p: string, key: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: p, headers: { authorization: `Bearer ${key}` }, ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

async function openSettings(page: Page) {
  await page.goto(appUrl());
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('lan-settings')).toBeVisible();
}

test.afterAll(async () => {
  await rpc('settings.update', { api: { lanEnabled: false, lanAddresses: ['0.0.0.0'], lanPort: 8443 } });
});

test('LAN access: on with its address and fingerprint; a key shown once works over HTTPS until revoked', async ({
  page,
}) => {
  const port = await freePort();
  // Loopback stands in for a LAN address (the test machine's network is not ours to open).
  await rpc('settings.update', { api: { lanEnabled: false, lanAddresses: ['127.0.0.1'], lanPort: port } });
  await openSettings(page);
  await expect(page.getByTestId('lan-state')).toHaveText('Off.');

  await page.getByTestId('lan-enabled').check();
  await expect(page.getByTestId('lan-state')).toHaveText('Listening.', { timeout: 15_000 });
  await expect(page.getByTestId('lan-url')).toHaveText(`https://127.0.0.1:${port}`);
  const fingerprint = page.getByTestId('lan-fingerprint');
  await expect(fingerprint).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  expect(await fingerprint.innerText()).toBe(await presented(port));

  const info = await rpc<AppInfo>('app.info', {});
  const ca = fs.readFileSync(path.join(info.dataDir, 'tls', 'cert.pem'), 'utf8');

  await page.getByTestId('api-key-name').fill('e2e laptop');
  await page.getByTestId('api-key-create').click();
  const shown = page.getByTestId('api-key-value');
  await expect(shown).toHaveText(/^dl-[A-Za-z0-9_-]{43}$/);
  const key = await shown.innerText();
  expect(await get(port, '/metrics', key, ca)).toBe(200);
  expect(await get(port, '/metrics', 'dl-wrong', ca)).toBe(401);

  // Shown once: after Done it is gone from the page; the list has its name and prefix only.
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByTestId('api-key-new')).toHaveCount(0);
  const row = page.getByTestId('api-key-row').filter({ hasText: 'e2e laptop' });
  await expect(row).toContainText(key.slice(0, 11));
  await expect(page.getByTestId('lan-settings')).not.toContainText(key);
  // Last used is filled in live (apiKeys.changed) after the scrape above.
  await expect(row).not.toContainText('Never');

  await row.getByTestId('api-key-revoke').click();
  await expect(row).toContainText('Revoke "e2e laptop"?');
  await row.getByTestId('api-key-revoke-confirm').click();
  await expect(row).toHaveCount(0);
  expect(await get(port, '/metrics', key, ca)).toBe(401);

  await page.getByTestId('lan-enabled').uncheck();
  await expect(page.getByTestId('lan-state')).toHaveText('Off.');
  await expect(presented(port)).rejects.toThrow();
});
