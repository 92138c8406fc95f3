/**
 * Hardware, live charts and power control in Chromium against the headless app, with the fake nvidia-smi (two GPUs)
 * first on the app's PATH: the real spawn → parse → ring buffer → contract → chart path. Charts grow and move,
 * the Hardware page lists the fake GPUs and copies its report, a power limit in range is applied and confirmed by
 * the next sample, one out of range is refused with the valid range, and the default comes back. More apps, each
 * with its own fake: one that refuses changes (the exact command to run is shown), one without a driver (the
 * Monitor says why and charts the rest), and a laptop GPU (clock locking instead of a power limit).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { appUrl, rpc, startApp, type StartedApp } from './app';

async function openMonitor(page: Page, url = appUrl()) {
  await page.goto(url);
  await page.getByTestId('nav-monitor').click();
  await expect(page.getByTestId('chart-cpu-ram')).toBeVisible();
}

const num = async (l: Locator, attr: string) => Number((await l.getAttribute(attr)) ?? 0);
const gpuCard = (page: Page, index: number) => page.locator(`[data-testid="power-gpu"][data-gpu="${index}"]`);

test.describe.configure({ mode: 'serial' });

test('Monitor: live charts grow and move, per GPU, and pause freezes the view', async ({ page }) => {
  await openMonitor(page);
  const vram = page.getByTestId('chart-vram');
  for (const id of [
    'chart-vram',
    'chart-temp',
    'chart-power',
    'chart-util',
    'chart-clocks',
    'chart-cpu-ram',
    'chart-tps',
  ])
    await expect(page.getByTestId(id)).toBeVisible();
  await expect(page.getByTestId('monitor-nogpu')).toHaveCount(0);

  // Samples arrive once a second from the fake's long-lived `nvidia-smi -lms` stream.
  await expect.poll(() => num(vram, 'data-points'), { timeout: 15_000 }).toBeGreaterThan(1);
  const before = await num(vram, 'data-points');
  await expect.poll(() => num(vram, 'data-points'), { timeout: 10_000 }).toBeGreaterThan(before);
  await expect(vram.getByTestId('chart-value')).toHaveAttribute('aria-label', /GiB/);
  await expect(page.getByTestId('chart-temp').getByTestId('chart-value')).toHaveAttribute('aria-label', /°C/);

  // Two GPUs: one selector button each; the charts follow the choice.
  const gpus = page.getByTestId('monitor-gpu').getByRole('radio');
  await expect(gpus).toHaveCount(2);
  await gpus.nth(1).click();
  await expect(gpus.nth(1)).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('.monitor-gpu-name')).toContainText('RTX 3060');
  await expect(vram.getByTestId('chart-value')).toHaveAttribute('aria-label', /\/ 12 GiB/);
  await gpus.nth(0).click();
  await expect(vram.getByTestId('chart-value')).toHaveAttribute('aria-label', /\/ 24 GiB/);

  // Windows of 1 / 5 / 10 minutes.
  const win = page.getByTestId('monitor-window');
  for (const w of ['60', '600', '300']) {
    await win.locator(`[data-value="${w}"]`).click();
    await expect(win).toHaveAttribute('data-value', w);
  }

  // Pause freezes the view while samples keep arriving underneath; resume jumps to the newest.
  await page.getByTestId('monitor-pause').click();
  await expect(page.getByTestId('monitor-pause')).toHaveAttribute('aria-pressed', 'true');
  const frozen = await vram.getAttribute('data-last-ts');
  await page.waitForTimeout(2500);
  await expect(vram).toHaveAttribute('data-last-ts', frozen!);
  await page.getByTestId('monitor-pause').click();
  await expect.poll(async () => Number(await vram.getAttribute('data-last-ts'))).toBeGreaterThan(Number(frozen) + 1500);
});

test('Hardware: shows the fake GPUs and the CPU, and copies the report as text', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(appUrl());
  await page.getByTestId('nav-hardware').click();
  const gpus = page.getByTestId('hw-gpu');
  await expect(gpus).toHaveCount(2, { timeout: 20_000 });
  await expect(gpus.nth(0)).toContainText('NVIDIA GeForce RTX 3090');
  await expect(gpus.nth(0)).toContainText('550.54.14');
  await expect(gpus.nth(0)).toContainText('nvidia-smi');
  await expect(gpus.nth(1)).toContainText('NVIDIA GeForce RTX 3060');
  await expect(page.getByTestId('hw-cpu')).toContainText(/\d+ cores · \d+ threads/);
  // The bundled llama-server here is a CPU build: the page says so, in the UI language.
  await expect(page.getByTestId('hw-notes')).toContainText('this llama-server build sees no GPU');

  await page.getByTestId('hw-copy').click();
  await expect(page.getByTestId('hw-copy')).toHaveAttribute('data-copied', 'true');
  await expect(page.getByTestId('hw-copy')).toContainText('Copied');
  // A string: e2e is type-checked without the DOM library.
  const copied = await page.evaluate<string>('navigator.clipboard.readText()');
  expect(copied).toContain('RTX 3090');
  expect(copied).toContain('RTX 3060');

  // Bug reports stay in English; the page follows the language.
  expect(copied).toContain('this llama-server build sees no GPU');
  const { language } = await rpc<{ language: string }>('settings.get', {});
  await rpc('settings.update', { language: 'zh-CN' });
  try {
    await expect(page.getByTestId('hw-notes')).toContainText('这个 llama-server 版本看不到 GPU');
  } finally {
    await rpc('settings.update', { language });
  }

  await page.getByTestId('hw-refresh').click();
  await expect(gpus).toHaveCount(2);
});

test('Power: a limit in range is applied and confirmed by the GPU, a bad one shows the valid range, reset restores the default', async ({
  page,
}) => {
  await openMonitor(page);
  const card = gpuCard(page, 0);
  await expect(card.getByTestId('power-current')).toHaveText('350 W', { timeout: 15_000 });

  // Presets fill the field from the GPU's default limit (Quiet ≈ 70 %).
  await card.getByTestId('power-preset-quiet').click();
  await expect(card.getByTestId('power-input')).toHaveValue('245');

  await card.getByTestId('power-input').fill('300');
  await card.getByTestId('power-apply').click();
  await expect(card.getByTestId('power-confirmed')).toContainText('300 W', { timeout: 15_000 });
  await expect(card.getByTestId('power-current')).toHaveText('300 W');
  // The change is an event too: a toast and a line in the event log.
  await expect(page.getByTestId('toast').filter({ hasText: '300 W' })).toBeVisible();
  await expect(page.getByTestId('event-log')).toContainText('power limit set to 300 W');
  const status = (await rpc('power.status', {})) as { index: number; currentLimitW: number }[];
  expect(status.find((g) => g.index === 0)?.currentLimitW).toBe(300);

  await card.getByTestId('power-input').fill('50');
  await card.getByTestId('power-apply').click();
  const err = card.getByTestId('power-error');
  await expect(err).toHaveAttribute('data-code', 'POWER_RANGE');
  await expect(err).toContainText('between 100 W and 400 W');
  await expect(card.getByTestId('power-current')).toHaveText('300 W');

  await card.getByTestId('power-reset').click();
  await expect(card.getByTestId('power-error')).toHaveCount(0);
  await expect(card.getByTestId('power-confirmed')).toContainText('350 W', { timeout: 15_000 });
  await expect(card.getByTestId('power-current')).toHaveText('350 W');
});

test('Power: "re-apply at start" is saved in settings', async ({ page }) => {
  await openMonitor(page);
  const toggle = page.getByTestId('power-reapply');
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect
    .poll(async () => ((await rpc('settings.get', {})) as { power: { reapplyAtStart: boolean } }).power.reapplyAtStart)
    .toBe(true);
  await toggle.uncheck();
  await expect
    .poll(async () => ((await rpc('settings.get', {})) as { power: { reapplyAtStart: boolean } }).power.reapplyAtStart)
    .toBe(false);
});

test.describe('other machines', () => {
  let app: StartedApp | null = null;
  test.afterEach(async () => {
    await app?.stop();
    app = null;
  });

  test('without administrator rights, the exact command to run is shown', async ({ page }) => {
    app = await startApp({ profile: 'one-gpu', deny: true });
    await openMonitor(page, app.url);
    const card = gpuCard(page, 0);
    await card.getByTestId('power-input').fill('300');
    await card.getByTestId('power-apply').click();
    await expect(card.getByTestId('power-error')).toHaveAttribute('data-code', 'POWER_PERMISSION', { timeout: 15_000 });
    await expect(card.getByTestId('power-command')).toContainText(/nvidia-smi -i 0 -pl 300/);
    await expect(card.getByTestId('power-current')).toHaveText('450 W');
  });

  test('without a GPU driver, the Monitor says why and still charts CPU, RAM and tokens/s', async ({ page }) => {
    app = await startApp({ profile: 'no-driver' });
    await openMonitor(page, app.url);
    await expect(page.getByTestId('monitor-nogpu')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('monitor-nogpu')).toContainText(/nvidia-smi|No NVIDIA or AMD GPU/);
    await expect(page.getByTestId('chart-vram')).toHaveCount(0);
    await expect(page.getByTestId('chart-tps')).toBeVisible();
    const cpu = page.getByTestId('chart-cpu-ram');
    await expect.poll(() => num(cpu, 'data-points'), { timeout: 15_000 }).toBeGreaterThan(1);
  });

  test('a laptop GPU that refuses power limits offers clock locking instead', async ({ page }) => {
    app = await startApp({ profile: 'laptop' });
    await openMonitor(page, app.url);
    const card = gpuCard(page, 0);
    await card.getByTestId('power-input').fill('90');
    await card.getByTestId('power-apply').click();
    await expect(card.getByTestId('power-error')).toHaveAttribute('data-code', 'POWER_UNSUPPORTED', {
      timeout: 15_000,
    });
    await expect(card.getByTestId('power-clocks')).toBeVisible();
    await card.getByTestId('power-lock-max').fill('1500');
    await card.getByTestId('power-lock-apply').click();
    await expect(card.getByTestId('power-clocks')).toContainText('locked to 210–1500 MHz');
    await card.getByTestId('power-lock-reset').click();
    await expect(card.getByTestId('power-clocks')).toContainText('back to the driver’s default');
  });
});
