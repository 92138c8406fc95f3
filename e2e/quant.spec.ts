/**
 * Quantization from the GUI (issue 14), in Chromium against its own headless app and the real llama.cpp tools on
 * the synthetic `small` F16 model (256 wide: K-quants really quantize): "Make a smaller version" → Q4_K_M with its
 * expected size, the job runs to completed and survives a reload, the result is in the library with its provenance;
 * "Check quality" measures its perplexity and the KL-divergence against the F16 it came from; the Quantizations
 * page shows both side by side with the measured PPL; with the F16 running and a chat open, one click switches the
 * backend to the Q4_K_M (same load options) and the same conversation continues with a streamed reply.
 *
 * Its own app (not the shared one): the quality check runs with a small context and chunk count
 * (DEEPLOCAL_QUALITY_CONTEXT / DEEPLOCAL_QUALITY_CHUNKS, read by compose/quant.ts), and the made file, the jobs and
 * the running model go with its data folder, so the specs after this one meet the shared app as they expect.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import path from 'node:path';
import type { ConversationDetail } from '../electron/shared/chat-schemas';
import type { LibraryModel } from '../electron/shared/models';
import type { QualityResult, WorkJob } from '../electron/shared/quant';
import type { BackendStatus } from '../electron/shared/schemas';
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { rpcAt, startApp, type StartedApp } from './app';
import { numbersIn, withHash } from './quant-helpers';

const QUALITY_CONTEXT = 128;
const QUALITY_CHUNKS = 4;
const REPLY_TOKENS = 24;
/** A job's row once it has ended, however it ended (a failure shows at once, with the core's error). */
const SETTLED = /^(completed|failed|cancelled|interrupted)$/;

let app: StartedApp;
const rpc = <T = unknown>(method: string, params: object) => rpcAt<T>(app.url, method, params);

test.beforeAll(async () => {
  app = await startApp({
    profile: 'no-driver',
    env: {
      DEEPLOCAL_QUALITY_CONTEXT: String(QUALITY_CONTEXT),
      DEEPLOCAL_QUALITY_CHUNKS: String(QUALITY_CHUNKS),
    },
  });
  // Replies end at max_tokens (the synthetic model never ends by itself); a small context keeps both loads quick.
  await rpc('settings.update', {
    setupWizard: 'dismissed',
    chat: { autoTitle: false },
    sampling: { temperature: 0, top_p: 0.95, max_tokens: REPLY_TOKENS },
    loadOptions: { contextSize: 1024 },
  });
});

test.afterAll(async () => {
  if (!app) return;
  // Put back what the spec started (the backend, the jobs), then the app and its data folder go.
  await rpc('backend.stop', {}).catch(() => undefined);
  const jobs = await rpc<WorkJob[]>('work.list', {}).catch(() => [] as WorkJob[]);
  for (const j of jobs) {
    if (j.state === 'queued' || j.state === 'running') await rpc('work.cancel', { id: j.id }).catch(() => undefined);
    await rpc('work.remove', { id: j.id }).catch(() => undefined);
  }
  await app.stop();
});

const rowOf = (page: Page, m: LibraryModel): Locator =>
  page.locator(`[data-testid="library-row"][data-id="${m.id.replace(/"/g, '\\"')}"]`);

async function openLibrary(page: Page) {
  await page.goto(withHash(app.url, '#/library'));
  await expect(page.getByTestId('library-row').first()).toBeVisible();
}

test('make a Q4_K_M in the UI, check its quality, compare, switch to it and chat on', async ({ page }) => {
  test.setTimeout(600_000);
  const f16Path = await ensureTestModel({ preset: 'small', seed: 1 });
  const f16 = await rpc<LibraryModel>('models.import', { path: f16Path, mode: 'reference' });
  expect(f16.quantization).toBe('F16');

  let q4!: LibraryModel;
  await test.step('Make a smaller version: Q4_K_M, its expected size, the job to completed', async () => {
    await openLibrary(page);
    await rowOf(page, f16).getByTestId('library-make-smaller').click();
    const dialog = page.getByTestId('make-dialog');
    await expect(dialog).toBeVisible();
    // The list comes from the bundled llama-quantize; the size is estimated from the F16's tensors before anything runs.
    const plan = await rpc<{ types: { id: string; expectedBytes: number | null }[] }>('quant.plan', {
      modelPath: f16Path,
    });
    const planned = plan.types.find((t) => t.id === 'Q4_K_M');
    expect(planned?.expectedBytes, 'Q4_K_M is offered with an expected size').toBeGreaterThan(0);
    expect(planned!.expectedBytes!).toBeLessThan(f16.sizeBytes / 2);
    await expect(dialog.getByTestId('make-size-Q4_K_M')).toContainText(/\d/);
    await dialog.getByTestId('make-type-Q4_K_M').check();
    await dialog.getByTestId('make-start').click();

    // The job is in the Jobs list, and still there after a reload (the queue persists).
    await page.goto(withHash(app.url, '#/downloads'));
    const row = page.locator('[data-testid="work-row"][data-kind="quantize"]');
    await expect(row).toHaveCount(1);
    await page.reload();
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-state', SETTLED, { timeout: 180_000 });
    const [job] = (await rpc<WorkJob[]>('work.list', {})).filter((j) => j.kind === 'quantize');
    expect(job?.error, 'the quantize job failed').toBeNull();
    await expect(row).toHaveAttribute('data-state', 'completed');
    await expect(row.getByTestId('work-error')).toHaveCount(0);
    expect(job).toMatchObject({ state: 'completed', target: 'Q4_K_M', modelPath: f16Path });
    expect(job!.outputPath).toBeTruthy();
    const lib = await rpc<LibraryModel[]>('models.library', {});
    q4 = lib.find((m) => m.path === job!.outputPath)!;
    expect(q4, 'the result is installed in the library').toBeTruthy();
    expect(q4.quantization).toBe('Q4_K_M');
    expect(q4.sizeBytes).toBeLessThan(f16.sizeBytes / 2);
    expect(q4.provenance).toMatchObject({
      kind: 'quantized',
      sourcePath: f16Path,
      sourceName: path.basename(f16Path),
      sourceType: 'F16',
      type: 'Q4_K_M',
    });
    expect(q4.provenance!.sourceSha256).toMatch(/^[0-9a-f]{64}$/);

    // The library shows where it came from.
    await openLibrary(page);
    await expect(rowOf(page, q4).getByTestId('library-provenance')).toContainText(q4.provenance!.sourceName);
  });

  let quality!: QualityResult;
  await test.step('Check quality: perplexity, and KL-divergence against the F16 it was made from', async () => {
    await rowOf(page, q4).getByTestId('library-check-quality').click();
    const dialog = page.getByTestId('quality-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('quality-text-en').check();
    await dialog.getByTestId('quality-start').click();
    const qualityJob = async () => (await rpc<WorkJob[]>('work.list', {})).find((j) => j.kind === 'quality');
    await expect.poll(async () => (await qualityJob())?.state ?? 'none', { timeout: 300_000 }).toMatch(SETTLED);
    expect((await qualityJob())?.error, 'the quality check failed').toBeNull();
    const result = dialog.getByTestId('quality-result');
    await expect(result).toBeVisible();

    const results = await rpc<QualityResult[]>('quality.results', { modelPath: q4.path });
    expect(results).toHaveLength(1);
    quality = results[0]!;
    expect(quality).toMatchObject({ modelType: 'Q4_K_M', text: 'en' });
    expect(quality.contextSize).toBe(QUALITY_CONTEXT);
    expect(quality.chunks).toBe(QUALITY_CHUNKS);
    expect(Number.isFinite(quality.ppl) && quality.ppl > 1).toBe(true);
    expect(quality.kld, 'KL-divergence against the local F16').not.toBeNull();
    expect(quality.kld!).toMatchObject({ basePath: f16Path, baseType: 'F16' });
    expect(quality.kld!.meanKld).toBeGreaterThan(0);
    expect(quality.kld!.sameTopPct).toBeGreaterThan(0);
    expect(quality.kld!.sameTopPct).toBeLessThanOrEqual(100);
    expect(quality.kld!.pplRatio).toBeCloseTo(quality.ppl / quality.kld!.basePpl!, 3);

    // What the dialog shows is that measurement: the PPL, and the KLD and same-top figures.
    const shown = numbersIn(await result.innerText());
    expect(
      shown.some((n) => Math.abs(n - quality.ppl) <= quality.ppl * 0.005 + 0.01),
      `PPL ${quality.ppl}`,
    ).toBe(true);
    await expect(result).toContainText(/KL/i);
    expect(shown.some((n) => Math.abs(n - quality.kld!.sameTopPct) <= 0.06)).toBe(true);
  });

  await test.step('The Quantizations page: the F16 and the Q4_K_M side by side, with the measured PPL', async () => {
    await openLibrary(page);
    await rowOf(page, f16).getByTestId('library-quants').click();
    await expect(page.getByTestId('quants-page')).toBeVisible();
    expect(page.url()).toContain('#/quants');
    const q4row = page.locator('[data-testid="quants-row"][data-quant="Q4_K_M"]');
    await expect(q4row).toHaveAttribute('data-availability', 'installed');
    await expect(page.locator('[data-testid="quants-row"][data-quant="F16"]')).toHaveAttribute(
      'data-availability',
      'installed',
    );
    const shown = numbersIn(await q4row.innerText());
    expect(
      shown.some((n) => Math.abs(n - quality.ppl) <= quality.ppl * 0.005 + 0.01),
      `PPL ${quality.ppl}`,
    ).toBe(true);
    await expect(page.getByTestId('quants-recommendation')).toBeVisible();
  });

  await test.step('Switch the running F16 to the Q4_K_M from the comparison; the open chat continues', async () => {
    // The F16 runs, with a conversation open.
    await openLibrary(page);
    await rowOf(page, f16).getByTestId('library-load').click();
    await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
    const before = await rpc<BackendStatus>('backend.status', {});
    expect(before.model?.path).toBe(f16Path);
    await page.getByTestId('nav-chat').click();
    await ask(page, 'one two three four');
    const conversationId = /#\/chat\/([^/?#]+)/.exec(page.url())?.[1];
    expect(conversationId).toBeTruthy();

    await openLibrary(page);
    await rowOf(page, f16).getByTestId('library-quants').click();
    const q4row = page.locator('[data-testid="quants-row"][data-quant="Q4_K_M"]');
    await q4row.getByTestId('quants-switch').click();
    await expect
      .poll(
        async () => {
          const s = await rpc<BackendStatus>('backend.status', {});
          return s.state === 'ready' ? s.model?.path : null;
        },
        { timeout: 120_000 },
      )
      .toBe(q4.path);
    const after = await rpc<BackendStatus>('backend.status', {});
    expect(after.runId).toBeGreaterThan(before.runId);
    expect(after.options?.contextSize).toBe(before.options?.contextSize);

    // The same conversation, a second question, answered by the Q4_K_M.
    await page.goto(withHash(app.url, `#/chat/${conversationId}`));
    await expect(page.getByTestId('message-assistant')).toHaveCount(1);
    await ask(page, 'five six seven eight');
    const conv = await rpc<ConversationDetail>('conversations.get', { id: conversationId });
    const replies = conv.messages.filter((m) => m.role === 'assistant');
    expect(replies).toHaveLength(2);
    for (const r of replies) {
      expect(r.status).toBe('done');
      expect((r.content + r.reasoning).length).toBeGreaterThan(0);
    }
  });
});

/** Sends from the composer and waits for the streamed reply to end at max_tokens. */
async function ask(page: Page, text: string) {
  const count = await page.getByTestId('message-assistant').count();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
  const reply = page.getByTestId('message-assistant').nth(count);
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 90_000 });
  await expect(reply.getByTestId('reply-stats')).toContainText(`${REPLY_TOKENS} out`);
  await expect(reply.getByTestId('reply-stats')).toContainText(/tok\/s/);
}
