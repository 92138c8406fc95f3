/**
 * A model's saved defaults on the Model page, in Chromium against the headless app and the real llama-server: the
 * form shows the global options with the model's profile over them (and says so), Start without an edit runs those
 * (the core applies the profile; the global defaults are left alone), and an edit starts from what was shown.
 */
import { expect, test } from '@playwright/test';
import { rpcAt, startApp, type StartedApp } from './app';

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

let app: StartedApp | null = null;
test.afterEach(async () => {
  await app?.stop();
  app = null;
});

interface Status {
  state: string;
  options: { threads: number; contextSize: number } | null;
}

test('the model’s saved defaults fill the form and a start runs them without touching the global defaults', async ({
  page,
}) => {
  test.setTimeout(120_000);
  app = await startApp({ profile: 'one-gpu' });
  await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed', loadOptions: { threads: 1, contextSize: 8192 } });
  await rpcAt(app.url, 'profiles.save', {
    modelPath: model(),
    options: { threads: 2, contextSize: 4096 },
    source: 'user',
  });

  await page.goto(app.url);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  await input.fill(model());
  await input.blur();
  await expect(page.getByTestId('options-from-profile')).toBeVisible();
  await expect(page.getByLabel('Context length')).toHaveValue('4096');

  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const run = await rpcAt<Status>(app.url, 'backend.status', {});
  expect(run.options).toMatchObject({ threads: 2, contextSize: 4096 });
  const global = await rpcAt<{ loadOptions: { threads: number; contextSize: number } }>(app.url, 'settings.get', {});
  expect(global.loadOptions).toMatchObject({ threads: 1, contextSize: 8192 });

  // An edit starts from what the form showed: the profile's threads stay, the new context is the user's.
  await page.getByTestId('model-stop').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
  await page.getByLabel('Context length').selectOption('2048');
  await expect(page.getByTestId('options-from-profile')).toHaveCount(0);
  await page.getByTestId('model-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  const edited = await rpcAt<Status>(app.url, 'backend.status', {});
  expect(edited.options).toMatchObject({ threads: 2, contextSize: 2048 });
});
