/**
 * Getting a model, in Chromium against the headless app, the hub emulator (standing in for Hugging Face and
 * ModelScope) and the real llama-server: the first-run wizard plans for the CPU (the runtime sees none of the fake
 * GPUs, and says so), downloads and verifies the catalog's test model, starts it and chat streams a reply; a repo
 * opened by id lists its GGUF files with size and fit; a download on a slow link pauses and resumes from where it
 * stopped; the library imports, deletes and forgets.
 */
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import { appUrl, rpc } from './app';
import { HOSTILE_PATH, HOSTILE_REPO, SLOW_FILE, SLOW_REPO, TEST_CATALOG_ID, TEST_REPO } from './hub-fixture';

const hubUrl = () => process.env.DEEPLOCAL_E2E_HUB!;

/** Replaces the emulator's injected faults (see scripts/hub-emulator/server.mjs). */
async function setFaults(faults: object[]) {
  const res = await fetch(`${hubUrl()}/__emulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
  expect(res.ok).toBe(true);
}

async function hubStats(): Promise<{ bytesByFile: Record<string, number> }> {
  return (await (await fetch(`${hubUrl()}/__emulator/stats`)).json()) as { bytesByFile: Record<string, number> };
}

interface Job {
  id: string;
  state: string;
  receivedBytes: number;
  totalBytes: number;
  repo: string;
}
const jobFor = async (repo: string) => (await rpc<Job[]>('downloads.list', {})).find((j) => j.repo === repo);

async function open(page: Page) {
  await page.goto(appUrl());
  await expect(page.getByTestId('status-pill')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

let savedSampling: object | undefined;
test.beforeAll(async () => {
  savedSampling = (await rpc<{ sampling: object }>('settings.get', {})).sampling;
});
test.afterAll(async () => {
  // Leave the shared app as the other specs expect it: no faults, no model running, their sampling.
  await setFaults([]);
  await rpc('backend.stop', {});
  if (savedSampling) await rpc('settings.update', { sampling: savedSampling });
});

test('first run: the wizard plans, downloads, verifies and starts a model, then chat streams a reply', async ({
  page,
}) => {
  // Nothing installed and nothing running: what a new user sees.
  expect(await rpc<unknown[]>('models.library', {})).toEqual([]);
  await rpc('backend.stop', {});
  await open(page);
  const wizard = page.getByTestId('wizard');
  await expect(wizard).toHaveAttribute('data-step', 'hardware');

  // 1. Hardware: the fake nvidia-smi's two GPUs, with their memory — and, first, that the active runtime (our CPU
  // build) cannot use them (runtime-wizard.spec.ts covers the GPU case).
  await expect(page.getByTestId('wizard-gpu')).toHaveCount(2);
  await expect(page.getByTestId('wizard-gpu').first()).toContainText(/GB free of/);
  await expect(page.getByTestId('wizard-gpu-unusable')).toContainText('NVIDIA GeForce RTX 3090');
  await page.getByTestId('wizard-next').click();

  // 2. The planner's recommendation, with a fit badge and the reason in words: for the CPU, never a GPU speed.
  const pick = page.getByTestId('wizard-recommended');
  await expect(pick).toHaveAttribute('data-model', TEST_CATALOG_ID);
  await expect(pick).toHaveAttribute('data-recommended', 'true');
  await expect(pick.getByTestId('fit-badge')).toHaveAttribute('data-mode', 'cpu');
  await expect(pick.getByTestId('fit-reason')).toContainText(/No usable GPU: runs on the CPU from RAM \(.+\)/);
  const quant = (await pick.getAttribute('data-quant'))!;
  await page.getByTestId('wizard-next').click();

  // 3. Download source: automatic by default, each endpoint measured (both are the emulator here).
  const mirror = page.getByTestId('wizard-mirror');
  await expect(mirror.locator('[data-testid=wizard-mirror-option][data-id=auto] input')).toBeChecked();
  await expect(mirror.getByTestId('wizard-mirror-latency')).toHaveCount(2);
  await expect(mirror.getByTestId('wizard-mirror-latency').first()).toHaveText(/\d+ ms/);
  await page.getByTestId('wizard-next').click();

  // 4. Download and verify; Next waits for the verified file.
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  await page.getByTestId('wizard-download').click();
  await expect(page.getByTestId('wizard-progress')).toBeVisible();
  await expect(page.getByTestId('wizard-verified')).toBeVisible({ timeout: 60_000 });
  const job = await jobFor(TEST_REPO);
  expect(job).toMatchObject({ state: 'completed' });
  expect(job!.receivedBytes).toBe(job!.totalBytes);
  const library = await rpc<{ path: string; catalogId: string | null; sha256: string | null }[]>('models.library', {});
  expect(library).toHaveLength(1);
  expect(library[0]!.path).toContain(quant);
  await page.getByTestId('wizard-next').click();

  // 5. Start: the real llama-server loads the downloaded file.
  await page.getByTestId('wizard-start').click();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  const status = await rpc<{ model: { path: string } }>('backend.status', {});
  expect(status.model.path).toBe(library[0]!.path);
  await page.getByTestId('wizard-chat').click();

  // 6. Chat: a streamed reply from the model the wizard set up (the synthetic model never stops by itself).
  await rpc('settings.update', { sampling: { temperature: 0.6, top_p: 0.95, max_tokens: 100_000 } });
  await page.getByTestId('chat-input').fill('Hello from the setup wizard');
  await page.getByTestId('chat-send').click();
  const reply = page.getByTestId('message-assistant').last();
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  // The planned context (4096 tokens) fills in about 5 s at this model's speed, and then the reply ends by itself:
  // look often, so Stop is clicked while it still streams even on a loaded machine.
  await expect
    .poll(async () => (await reply.innerText()).length, { timeout: 15_000, intervals: [50] })
    .toBeGreaterThan(40);
  const before = (await reply.innerText()).length;
  await expect.poll(async () => (await reply.innerText()).length, { intervals: [50] }).toBeGreaterThan(before);
  await page.getByTestId('chat-stop').click();
  await expect(reply).toHaveAttribute('data-streaming', 'false');

  // Finished: recorded in settings (so no window or browser opens it again), and it does not come back.
  expect((await rpc<{ setupWizard: string }>('settings.get', {})).setupWizard).toBe('done');
  await page.reload();
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('wizard')).toHaveCount(0);
});

test('the Models page shows fit badges per quant and opens any repo by id or URL', async ({ page }) => {
  await open(page);
  await page.getByTestId('nav-models').click();

  // The catalog: the test entry is the top pick, its recommended quant highlighted and marked installed.
  const card = page.locator(`[data-testid=catalog-model][data-id=${TEST_CATALOG_ID}]`);
  await expect(card.getByTestId('top-pick')).toBeVisible();
  await card.getByTestId('quant-toggle').click();
  await expect(card.getByTestId('quant-row')).toHaveCount(2);
  for (const row of await card.getByTestId('quant-row').all()) {
    await expect(row.getByTestId('fit-badge')).toHaveAttribute('data-mode', /gpu|experts-cpu|partial|cpu|none/);
    await expect(row.getByTestId('fit-reason')).not.toBeEmpty();
  }
  await expect(card.locator('[data-testid=quant-row][data-recommended=true]').getByTestId('installed')).toBeVisible();
  // A real DeepSeek model is planned too (the 671B one does not fit in this machine's RAM; the runtime uses no GPU).
  const r1 = page.locator('[data-testid=catalog-model][data-id=deepseek-r1-0528]');
  await expect(r1.getByTestId('fit-badge').first()).toHaveAttribute('data-mode', 'none');
  await expect(r1.getByTestId('fit-reason').first()).toContainText(/Needs about .+ of memory/);

  // A repo by id: its model file with size and fit read from the header over HTTP Range.
  await page.getByTestId('repo-input').fill(SLOW_REPO);
  await page.getByTestId('repo-open').click();
  const file = page.getByTestId('repo-file');
  await expect(file).toHaveCount(1);
  await expect(file).toHaveAttribute('data-path', SLOW_FILE);
  await expect(file).toHaveAttribute('data-quant', 'Q8_0');
  await expect(file).toContainText(/\d+(\.\d+)? MB/);
  // Planned on the devices the active runtime lists: none (our CPU build), so the CPU.
  await expect(file.getByTestId('fit-badge')).toHaveAttribute('data-mode', 'cpu');
  await expect(file.getByTestId('download-btn')).toBeEnabled();

  // The same catalog repo by ModelScope URL: both files, the downloaded one marked installed.
  await page.getByTestId('repo-input').fill(`https://modelscope.cn/models/${TEST_REPO}`);
  await page.getByTestId('repo-open').click();
  await expect(page.getByTestId('repo-file')).toHaveCount(2);
  await expect(page.getByTestId('repo-listing')).toContainText(TEST_REPO);
  await expect(page.locator('[data-testid=repo-file] [data-testid=installed]')).toHaveCount(1);

  // A listing that names a file outside the models folder: the safe file is offered, the other skipped and named.
  await page.getByTestId('repo-input').fill(HOSTILE_REPO);
  await page.getByTestId('repo-open').click();
  await expect(page.getByTestId('repo-file')).toHaveCount(1);
  await expect(page.getByTestId('repo-file')).toHaveAttribute('data-path', 'Safe-Tiny-Q8_0.gguf');
  const skipped = page.getByTestId('repo-skipped');
  await expect(skipped).toHaveAttribute('data-code', 'HUB_UNSAFE_PATH');
  await expect(skipped).toContainText(HOSTILE_REPO);
  await expect(skipped).toContainText(HOSTILE_PATH);

  // Bad input is explained, not swallowed.
  await page.getByTestId('repo-input').fill('not a repo');
  await page.getByTestId('repo-open').click();
  await expect(page.getByTestId('repo-error')).toHaveAttribute('data-code', 'HUB_BAD_REF');
  await page.getByTestId('repo-input').fill('deeplocal-test/No-Such-Repo');
  await page.getByTestId('repo-open').click();
  await expect(page.getByTestId('repo-error')).toHaveAttribute('data-code', /HUB_NOT_FOUND|HUB_AUTH_REQUIRED/);
});

test('a download on a slow link pauses, resumes where it stopped, verifies, and lands in the library', async ({
  page,
}) => {
  await open(page);
  await page.getByTestId('nav-models').click();
  await page.getByTestId('repo-input').fill(`hf.co/${SLOW_REPO}`);
  await page.getByTestId('repo-open').click();
  // The listing reads the file's header for the fit badge (HTTP Range); count the download's bytes after that.
  await expect(page.getByTestId('repo-file').getByTestId('fit-badge')).toBeVisible();
  const servedBefore = (await hubStats()).bytesByFile[SLOW_FILE] ?? 0;
  // ~2 MB/s over four connections: slow enough to pause part-way, fast enough for a test.
  await setFaults([{ kind: 'rate', bytesPerSecond: 500_000, file: SLOW_FILE }]);
  await page.getByTestId('repo-file').getByTestId('download-btn').click();
  await expect(page.getByTestId('repo-file').getByTestId('download-status')).toBeVisible();
  await expect(page.getByTestId('downloads-badge')).toHaveText('1');

  await page.getByTestId('nav-downloads').click();
  const row = page.locator('[data-testid=download-row]').filter({ hasText: SLOW_REPO });
  await expect(row).toHaveAttribute('data-state', 'downloading');
  await expect
    .poll(async () => Number(await row.getByTestId('download-progress').getAttribute('data-progress')), {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(40);
  // Bytes, speed and time left while it runs.
  await expect(row.getByTestId('download-figures')).toContainText(/MB of .+ MB · .+\/s · .+ left/);

  await row.getByTestId('download-pause').click();
  await expect(row).toHaveAttribute('data-state', 'paused');
  const paused = (await jobFor(SLOW_REPO))!;
  expect(paused.receivedBytes).toBeGreaterThan(0);
  expect(paused.receivedBytes).toBeLessThan(paused.totalBytes);
  // Paused means paused: nothing moves, in the core or on the page.
  const shownAtPause = await row.getByTestId('download-figures').innerText();
  await page.waitForTimeout(1500);
  expect((await jobFor(SLOW_REPO))!.receivedBytes).toBe(paused.receivedBytes);
  await expect(row.getByTestId('download-figures')).toHaveText(shownAtPause);

  await row.getByTestId('download-resume').click();
  await expect(row).toHaveAttribute('data-state', 'downloading');
  await expect
    .poll(async () => (await jobFor(SLOW_REPO))!.receivedBytes, { timeout: 20_000 })
    .toBeGreaterThan(paused.receivedBytes);
  // Full speed for the rest, then the SHA-256 and GGUF checks.
  await setFaults([]);
  await expect(row).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
  await expect(page.getByTestId('downloads-badge')).toHaveCount(0);
  // Resumed, not restarted: the hub sent the file once, plus at most the 1 MiB segments in flight on the four
  // connections at the pause and what sat in socket buffers. Starting over would add the ~40 % done before it.
  const served = (await hubStats()).bytesByFile[SLOW_FILE]! - servedBefore;
  expect(served).toBeLessThanOrEqual(paused.totalBytes + 4 * (1 << 20) + (2 << 20));

  // The list can be tidied; the model stays installed.
  await row.getByTestId('download-remove').click();
  await expect(row).toHaveCount(0);
  await page.getByTestId('nav-library').click();
  await expect(page.locator('[data-testid=library-row]').filter({ hasText: /Slow/i })).toHaveCount(1);
});

test('the library imports a local GGUF by reference, deletes with a confirmation, and forgets references', async ({
  page,
}) => {
  await open(page);
  await page.getByTestId('nav-library').click();
  const rows = page.getByTestId('library-row');
  await expect(rows).toHaveCount(2);

  // Import by reference: validated, listed where it lies.
  await page.getByTestId('library-import-path').fill('/etc/hostname');
  await page.getByTestId('library-import').click();
  await expect(page.getByTestId('library-import-error')).toHaveAttribute('data-code', 'MODEL_NOT_GGUF');
  await page.getByTestId('library-import-path').fill(process.env.DEEPLOCAL_E2E_MODEL!);
  await page.getByTestId('library-import').click();
  await expect(page.getByTestId('library-import-done')).toBeVisible();
  const ref = page.locator('[data-testid=library-row][data-source=reference]');
  await expect(ref).toHaveCount(1);
  await expect(ref.getByTestId('library-path')).toHaveText(process.env.DEEPLOCAL_E2E_MODEL!);

  // Delete asks first; Cancel keeps the file.
  const slow = rows.filter({ hasText: /Slow/i });
  await slow.getByTestId('library-delete').click();
  await slow.getByTestId('library-delete-cancel').click();
  await expect(rows).toHaveCount(3);
  await slow.getByTestId('library-delete').click();
  await slow.getByTestId('library-delete-confirm').click();
  await expect(rows).toHaveCount(2);
  const lib = await rpc<{ path: string }[]>('models.library', {});
  expect(lib.some((m) => m.path.includes(SLOW_FILE))).toBe(false);

  // Forgetting a reference leaves the file where it is.
  await ref.getByTestId('library-delete').click();
  await ref.getByTestId('library-delete-confirm').click();
  await expect(ref).toHaveCount(0);
  expect(fs.existsSync(process.env.DEEPLOCAL_E2E_MODEL!)).toBe(true);
});
