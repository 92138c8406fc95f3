/**
 * "Benchmark this model" on the Model page, in Chromium against its own headless app (the benchmark loads the model
 * for its app check, and the shared app's other specs expect it stopped) with the real llama-bench on the tiny
 * synthetic model: progress with phase, configurations measured and time left, rows as they are measured, the best
 * for chat with the app's own figure beside llama-bench's, saved as the model's defaults. A second run (every
 * combination) cancelled mid-way says so and leaves those defaults alone; Forget forgets them; a profile whose
 * model file changed says it no longer applies and offers a new benchmark.
 */
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import type { ProfileAnswer, TuneJob } from '../electron/shared/tuning';
import { rpcAt, startApp, type StartedApp } from './app';

const model = () => process.env.DEEPLOCAL_E2E_MODEL!;

test.describe.configure({ mode: 'serial' });

let app: StartedApp;
test.beforeAll(async () => {
  // No GPU at all: the grid is the CPU's (threads × attention × batch), small enough on the tiny model.
  app = await startApp({ profile: 'no-driver' });
  await rpcAt(app.url, 'settings.update', { setupWizard: 'dismissed' });
});
test.afterAll(async () => {
  await rpcAt(app.url, 'backend.stop', {}).catch(() => {});
  await app?.stop();
});

async function openModel(page: Page, modelPath: string) {
  await page.goto(app.url);
  await page.getByTestId('nav-model').click();
  const input = page.getByTestId('model-path-input');
  await input.fill(modelPath);
  await input.press('Enter');
  // The saved defaults of that file are shown once its path is committed (whether or not a model is running).
  await expect(page.getByTestId('tune-profile')).toBeVisible();
}

test('Benchmark: progress, rows, the best for chat with the app’s own figure, saved as the defaults', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openModel(page, model());
  const panel = page.getByTestId('tune-panel');
  await expect(panel.getByTestId('tune-profile')).toHaveAttribute('data-kind', 'none');
  await expect(panel).toHaveAttribute('data-state', 'none');

  await panel.getByTestId('tune-start').click();
  await expect(panel).toHaveAttribute('data-state', 'running');
  await expect(panel.getByTestId('tune-progress')).toBeVisible();
  await expect(panel.getByTestId('tune-cancel')).toBeEnabled();
  await expect(panel.getByTestId('tune-start')).toBeDisabled();
  // Rows appear as they are measured, with the phase, the count and the time left above them.
  await expect(panel.getByTestId('tune-row').first()).toBeVisible({ timeout: 60_000 });
  const figures = panel.getByTestId('tune-figures');
  await expect(figures).toContainText(/\d+ of \d+ configurations/);
  await expect(figures).toContainText(/quick sweep \(the full grid has \d+ combinations\)/);

  await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  const job = (await rpcAt<TuneJob | null>(app.url, 'tune.status', {}))!;
  expect(job).toMatchObject({ state: 'done', mode: 'auto', saved: true, phase: 'finished' });
  // The quick sweep measured at most a quarter of the grid.
  expect(job.rows.length).toBeLessThanOrEqual(Math.max(1, Math.floor(job.gridSize / 4)));
  await expect(panel.getByTestId('tune-row')).toHaveCount(job.rows.length);
  await expect(panel.getByTestId('tune-figures')).toContainText(
    `Finished · ${job.done} of ${job.total} configurations`,
  );

  // Exactly one best row, heading the table, with the core's pick: its threads and generation figure.
  const best = panel.locator('[data-testid=tune-row][data-best=final]');
  await expect(best).toHaveCount(1);
  await expect(panel.getByTestId('tune-row').first()).toHaveAttribute('data-best', 'final');
  await expect(best.locator('td').first()).toHaveText(String(job.best!.threads));
  const bestRow = job.rows.find((r) => JSON.stringify(r.config) === JSON.stringify(job.best))!;
  // The table rounds (1 decimal under 1000 tok/s, whole numbers above, with the locale's grouping): compare numbers.
  const shown = Number(/^[\d,.]+/.exec((await best.getByTestId('tune-tg').innerText()).trim())![0].replace(/,/g, ''));
  expect(Math.abs(shown - bestRow.tgTps!)).toBeLessThanOrEqual(bestRow.tgTps! >= 1000 ? 0.5 : 0.05);
  await expect(best.getByTestId('tune-best-mark')).toHaveAttribute('title', 'Best for chat');
  // A configuration llama-bench could not run is listed (last) with its error in words, not dropped.
  const failed = job.rows.filter((r) => r.error);
  await expect(panel.locator('[data-testid=tune-row][data-failed]')).toHaveCount(failed.length);
  await expect(panel.getByTestId('tune-row-error')).toHaveCount(failed.length);
  for (const [i, r] of failed.entries())
    await expect(panel.getByTestId('tune-row-error').nth(i)).toHaveAttribute('data-code', r.error!.code);

  // Beside it, what the app itself reached through its chat path with those settings.
  const pct = Math.round(job.appCheck!.ratio * 100);
  await expect(panel.getByTestId('tune-app-check')).toHaveText(
    new RegExp(`^Through DeepLocal: [\\d.,]+ tok/s — ${pct} % of llama-bench$`),
  );
  await expect(panel.getByTestId('tune-saved')).toHaveText(/Saved as this model’s defaults/);

  // The defaults line follows: from the benchmark, with what differs from the global load options.
  const profile = panel.getByTestId('tune-profile');
  await expect(profile).toHaveAttribute('data-kind', 'saved');
  await expect(profile.getByTestId('tune-profile-source')).toHaveAttribute('data-source', 'tuned');
  await expect(profile.getByTestId('tune-profile-source')).toHaveText('From the benchmark');
  const saved = await rpcAt<ProfileAnswer>(app.url, 'profiles.get', { modelPath: model() });
  expect(saved.profile?.tune?.best).toEqual(job.best);
  await expect(profile.getByTestId('tune-profile-options')).toContainText(`threads ${job.best!.threads}`);

  // A reload seeds the panel from tune.status: the finished job is still shown.
  await page.reload();
  await openModel(page, model());
  await expect(page.getByTestId('tune-panel')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('tune-saved')).toBeVisible();
});

test('a second run (every combination) cancelled mid-way says so and leaves the saved defaults alone', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const before = await rpcAt<ProfileAnswer>(app.url, 'profiles.get', { modelPath: model() });
  expect(before.profile?.source).toBe('tuned');
  await openModel(page, model());
  const panel = page.getByTestId('tune-panel');
  await expect(panel.getByTestId('tune-start')).toHaveText('Benchmark again');
  await panel.getByTestId('tune-exhaustive').check();
  await panel.getByTestId('tune-start').click();
  await expect(panel).toHaveAttribute('data-state', 'running');
  await expect(panel.getByTestId('tune-figures')).toContainText('every combination');
  // Mid-way: after the first configuration, long before the whole grid.
  await expect(panel.getByTestId('tune-row').first()).toBeVisible({ timeout: 60_000 });
  // The time left, from how long the configurations so far took.
  await expect(panel.getByTestId('tune-figures')).toContainText(/\d+ (s|min \d+ s|h \d+ min) left/);
  const running = (await rpcAt<TuneJob | null>(app.url, 'tune.status', {}))!;
  expect(running).toMatchObject({ state: 'running', mode: 'exhaustive' });
  expect(running.total).toBe(running.gridSize);
  await panel.getByTestId('tune-cancel').click();

  await expect(panel).toHaveAttribute('data-state', 'cancelled');
  await expect(panel.getByTestId('tune-outcome')).toHaveText('Cancelled — nothing was saved.');
  await expect(panel.getByTestId('tune-cancel')).toHaveCount(0);
  await expect(panel.getByTestId('tune-saved')).toHaveCount(0);
  const job = (await rpcAt<TuneJob | null>(app.url, 'tune.status', {}))!;
  expect(job).toMatchObject({ state: 'cancelled', saved: false });
  expect(job.rows.length).toBeLessThan(job.gridSize);
  // The first run's defaults, untouched.
  expect(await rpcAt<ProfileAnswer>(app.url, 'profiles.get', { modelPath: model() })).toEqual(before);
  await expect(panel.getByTestId('tune-profile')).toHaveAttribute('data-kind', 'saved');
  await expect(panel.getByTestId('tune-profile-source')).toHaveAttribute('data-source', 'tuned');

  // Forget: the global load options again.
  await panel.getByTestId('tune-profile-forget').click();
  await expect(panel.getByTestId('tune-profile')).toHaveAttribute('data-kind', 'none');
  expect((await rpcAt<ProfileAnswer>(app.url, 'profiles.get', { modelPath: model() })).profile).toBeNull();
});

test('saved settings whose model file changed no longer apply: said, with Benchmark again', async ({ page }) => {
  const copy = path.join(app.dataDir, 'changed.gguf');
  fs.copyFileSync(model(), copy);
  await rpcAt(app.url, 'profiles.save', { modelPath: copy, options: { threads: 1 }, source: 'user' });
  await openModel(page, copy);
  const profile = page.getByTestId('tune-profile');
  await expect(profile).toHaveAttribute('data-kind', 'saved');
  await expect(profile.getByTestId('tune-profile-source')).toHaveText('Set by you');
  await expect(profile.getByTestId('tune-profile-options')).toHaveText('threads 1');

  // The same path, another file (a re-download, a different quant saved under the old name).
  fs.appendFileSync(copy, Buffer.alloc(4096));
  await page.reload();
  await openModel(page, copy);
  await expect(profile).toHaveAttribute('data-kind', 'stale');
  await expect(profile.getByTestId('tune-profile-stale')).toHaveText(
    'Saved settings no longer apply (the model file changed) — benchmark again.',
  );
  await expect(profile.getByTestId('tune-profile-again')).toBeEnabled();
});
