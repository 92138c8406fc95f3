/**
 * Parallel requests as a user sees them, in Chromium against the headless app and the real llama-server: the load
 * options offer "Auto (N)" with the count for the chosen context (one slot per 2048 tokens, 1 to 8) or a set number,
 * and once loaded the Model page says how many slots the run serves — the same count llama-server was started with.
 */
import { expect, test } from '@playwright/test';
import { rpcAt, startApp, type StartedApp } from './app';

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

let app: StartedApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

/** The -np of the latest llama-server command line the app logged. */
async function npOf(url: string): Promise<string | undefined> {
  const logs = await rpcAt<{ text: string }[]>(url, 'backend.logs', { limit: 500 });
  return logs
    .map((l) => /\s-np (\d+)\s/.exec(l.text)?.[1])
    .filter(Boolean)
    .at(-1);
}

test('parallel requests: Auto (N) follows the context, a set number replaces it, the Model page shows the run’s slots', async ({
  page,
}) => {
  test.setTimeout(120_000);
  app = await startApp({ profile: 'one-gpu' });
  await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed', loadOptions: { threads: 1 } });

  await page.goto(app.url);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  await input.fill(model());
  await input.blur();
  await page.getByText('Advanced', { exact: true }).click();

  const mode = page.getByTestId('parallel-mode');
  const chosen = mode.locator('option:checked');
  // The default context (8192 tokens): 4 slots.
  await expect(chosen).toHaveText('Auto (4)');
  await expect(page.getByText(/Serves 4 requests at once/)).toBeVisible();
  await page.getByLabel('Context length').selectOption('16384');
  await expect(chosen).toHaveText('Auto (8)');
  await page.getByLabel('Context length').selectOption('2048');
  await expect(chosen).toHaveText('Auto (1)');
  await page.getByLabel('Context length').selectOption('16384');

  // A set number starts from the auto count and can be changed; back to auto hides it.
  await mode.selectOption('custom');
  const count = page.getByTestId('parallel-count');
  await expect(count).toHaveValue('8');
  await expect(page.getByText('Each of these slots gets an equal share of the context.')).toBeVisible();
  await mode.selectOption('auto');
  await expect(count).toHaveCount(0);

  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const info = page.getByTestId('model-info');
  await expect(info.locator('.fact', { hasText: 'Parallel requests' })).toContainText('Auto (8)');
  expect(await npOf(app.url)).toBe('8');

  // A set count: llama-server runs that many, and the Model page says so.
  await page.getByTestId('model-stop').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  if (!(await mode.isVisible())) await page.getByText('Advanced', { exact: true }).click();
  await mode.selectOption('custom');
  await count.fill('2');
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(info.locator('.fact', { hasText: 'Parallel requests' })).toContainText('2');
  await expect(info.locator('.fact', { hasText: 'Parallel requests' })).not.toContainText('Auto');
  expect(await npOf(app.url)).toBe('2');
});
