/**
 * llama.cpp across machines from the GUI (issue 15 §3), in Chromium against its own headless app: a real
 * ggml-rpc-server (our CPU build) on loopback stands in for a worker on another machine. On #/backends: add it by
 * host:port; its check passes and its devices and memory show, as the worker reported them over the RPC protocol;
 * then this machine's worker mode: the switch starts ggml-rpc-server here, says in words that a worker has no
 * authentication, and shows the addresses to enter on the main machine.
 */
import { expect, test } from '@playwright/test';
import type { RpcWorker, RpcWorkerMode } from '../electron/shared/backends';
import { formatBytes } from '../electron/shared/format';
import { rpcAt, startApp, type StartedApp } from './app';
import { freePort, openBackends, startRpcWorker, type Started } from './backends-helpers';

let app: StartedApp;
let worker: Started;
const rpc = <T = unknown>(method: string, params: object) => rpcAt<T>(app.url, method, params);

test.beforeAll(async () => {
  worker = await startRpcWorker();
  app = await startApp({ profile: 'no-driver' });
  await rpc('settings.update', { setupWizard: 'dismissed' });
});

test.afterAll(async () => {
  await rpc('rpc.stopWorkerMode', {}).catch(() => undefined);
  await app?.stop();
  await worker?.stop();
});

test('add a worker by host:port: checked, its devices and memory shown', async ({ page }) => {
  test.setTimeout(120_000);
  await openBackends(page, app.url);
  await page.getByTestId('rpc-host').fill('127.0.0.1');
  await page.getByTestId('rpc-port').fill(String(worker.port));
  await page.getByTestId('rpc-add').click();

  const row = page.getByTestId('rpc-worker');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(row).toContainText(`127.0.0.1:${worker.port}`);

  // What the worker reported over the protocol (the core's check) is what the row shows.
  const [listed] = await rpc<RpcWorker[]>('rpc.workers', {});
  expect(listed).toMatchObject({ host: '127.0.0.1', port: worker.port, enabled: true });
  const check = listed!.lastCheck!;
  expect(check).toMatchObject({ ok: true, compatible: true, error: null });
  expect(check.protocol).toMatch(/^\d+\.\d+\.\d+$/);
  expect(check.devices.length).toBeGreaterThan(0);
  const devices = row.getByTestId('rpc-devices');
  for (const d of check.devices) {
    expect(d.totalBytes).toBeGreaterThan(0);
    if (d.name) await expect(devices).toContainText(d.name);
    // Sizes as the whole app shows them (shared/format.ts); the total does not change between checks.
    await expect(devices).toContainText(formatBytes(d.totalBytes, 'en-US'));
  }

  // Checked again on demand; still there after a reload (settings.rpc.workers).
  await row.getByTestId('rpc-check').click();
  await expect(row).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await page.reload();
  await expect(page.getByTestId('rpc-worker')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
});

test('worker mode: the switch starts it here, warns there is no authentication, shows the addresses', async ({
  page,
}) => {
  test.setTimeout(120_000);
  // A free port (the default 50052 may be taken on a test machine), loopback only.
  const port = await freePort();
  await rpc('settings.update', { rpc: { worker: { host: '127.0.0.1', port } } });
  await openBackends(page, app.url);
  const toggle = page.getByTestId('rpc-worker-mode');
  await toggle.click();

  await expect
    .poll(async () => (await rpc<RpcWorkerMode>('rpc.workerMode', {})).state, { timeout: 30_000 })
    .toBe('running');
  const mode = await rpc<RpcWorkerMode>('rpc.workerMode', {});
  expect(mode.port).toBe(port);
  expect(mode.addresses.length).toBeGreaterThan(0);

  const warning = page.getByTestId('rpc-worker-warning');
  await expect(warning).toBeVisible();
  // In words: no authentication, a trusted network only.
  await expect(warning).toContainText(/no password|no authentication/i);
  await expect(warning).toContainText(/network you trust|trusted network/i);
  const addresses = page.getByTestId('rpc-worker-addresses');
  for (const a of mode.addresses) await expect(addresses).toContainText(a);

  // It really is a worker: our own check of that address answers with its devices.
  const added = await rpc<RpcWorker>('rpc.addWorker', { host: '127.0.0.1', port });
  expect(added.lastCheck).toMatchObject({ ok: true });
  await rpc('rpc.removeWorker', { id: added.id });

  await toggle.click();
  await expect
    .poll(async () => (await rpc<RpcWorkerMode>('rpc.workerMode', {})).state, { timeout: 30_000 })
    .toBe('stopped');
});
