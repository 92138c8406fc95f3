/**
 * The quantization feature end to end through a real core's handlers, with the bundled llama-quantize and
 * llama-perplexity (CPU build) on the synthetic models: F16 → Q8_0 + Q4_K_M as two queued jobs installed in the
 * library with their provenance; cancel while llama-quantize runs leaves no file; every bad request gets its error
 * before anything is queued; a quality check gives a finite perplexity and the second one is the cached answer;
 * a restart turns what was running or queued into `interrupted`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestModel } from '../../../scripts/make-test-model.mjs';
import type { WorkJob } from '../../shared/quant';
import { pathWithoutGpuTools, tmpDir } from '../../test/helpers';
import { coreUnderTest } from '../../test/core-under-test';
import { createCore, type Core } from '../app';
import type { QuantOptions } from '../compose/quant';
import { readGgufFile } from '../models/gguf';
import { inspectModel } from '../models/inspect';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const direct = { transport: 'direct' as const };
const cut = coreUnderTest(resourcesDir);
const tmp = tmpDir('dl-quant-int-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let small = '';
beforeAll(async () => {
  small = await ensureTestModel({ preset: 'small', seed: 1 });
}, 300_000);

const QUICK: QuantOptions = { qualityContext: 128, qualityChunks: 4, imatrixChunks: 2, imatrixContext: 128 };
const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

/** A models folder holding the small F16 model (hard-linked when the file system allows). */
function modelsFolder(): { dir: string; source: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'models-'));
  const source = path.join(dir, 'small-s1.gguf');
  try {
    fs.linkSync(small, source);
  } catch {
    fs.copyFileSync(small, source);
  }
  return { dir, source };
}

async function open(modelsDir: string, quant: QuantOptions = QUICK): Promise<Core> {
  return cut.start({
    prefix: 'dl-quant-core-',
    settings: { modelsDir },
    env: { ...process.env, PATH: pathWithoutGpuTools() },
    quant,
  });
}

function record(c: Core): WorkJob[] {
  const seen: WorkJob[] = [];
  c.bus.on('work.progress', (j) => seen.push(j));
  return seen;
}

async function settled(c: Core, id: string, timeoutMs = 120_000): Promise<WorkJob> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = (await c.handlers['work.list']({}, direct)).find((x) => x.id === id);
    if (!j) throw new Error(`job ${id} is gone`);
    if (TERMINAL.has(j.state)) return j;
    if (Date.now() > end) throw new Error(`job ${id} still ${j.state} (${j.phase})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const leftovers = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith('.') || n.includes('quantizing'));

describe('quant.start (real llama-quantize)', () => {
  it('plans, then makes Q8_0 and Q4_K_M from the small F16: two jobs, installed with provenance', async () => {
    const { dir, source } = modelsFolder();
    const c = await open(dir);
    const plan = await c.handlers['quant.plan']({ modelPath: source }, direct);
    expect(plan.source).toMatchObject({ path: source, fileType: 'F16', highPrecision: true, splitCount: 1 });
    expect(plan.modelsDir).toBe(dir);
    expect(plan.freeDiskBytes).toBeGreaterThan(0);
    expect(plan.llamaBuild.length).toBeGreaterThan(0);
    expect(plan.texts.map((t) => t.id).sort()).toEqual(['en', 'zh-CN']);
    const q8 = plan.types.find((t) => t.id === 'Q8_0')!;
    const q4 = plan.types.find((t) => t.id === 'Q4_K_M')!;
    expect(q8.expectedBytes).toBeGreaterThan(q4.expectedBytes!);
    expect(q8.expectedBytes).toBeLessThan(plan.source.sizeBytes);
    expect(q8.warnings).toEqual([]);
    expect(q8.fit).not.toBeNull();
    const f16 = plan.types.find((t) => t.id === 'F16');
    if (f16) expect(f16.warnings).toEqual(expect.arrayContaining(['not-smaller', 'same-type']));

    const seen = record(c);
    const jobs = await c.handlers['quant.start']({ modelPath: source, types: ['Q8_0', 'Q4_K_M'] }, direct);
    expect(jobs.map((j) => [j.kind, j.target, j.state])).toEqual([
      ['quantize', 'Q8_0', 'queued'],
      ['quantize', 'Q4_K_M', 'queued'],
    ]);
    const done = [await settled(c, jobs[0]!.id), await settled(c, jobs[1]!.id)];
    for (const j of done) expect(j.error).toBeNull();
    expect(done.map((j) => j.state)).toEqual(['completed', 'completed']);
    expect(done.map((j) => j.outputPath)).toEqual([
      path.join(dir, 'small-s1-Q8_0.gguf'),
      path.join(dir, 'small-s1-Q4_K_M.gguf'),
    ]);
    expect(done.map((j) => j.libraryId)).toEqual(['small-s1-Q8_0.gguf', 'small-s1-Q4_K_M.gguf']);

    // One at a time: the second started only after the first completed.
    expect(done[1]!.startedAt!).toBeGreaterThanOrEqual(done[0]!.finishedAt!);
    // Snapshots: per-tensor progress while quantizing, never going back, ending at 1.
    const first = seen.filter((j) => j.id === jobs[0]!.id);
    expect(first.some((j) => j.state === 'running' && j.phase === 'quantize' && j.total > 0)).toBe(true);
    const p = first.map((j) => j.progress);
    expect(p).toEqual([...p].sort((a, b) => a - b));
    expect(p.at(-1)).toBe(1);

    // The results: the header says the type, sizes fall, the estimate is close, the library shows the provenance.
    const [h8, h4] = await Promise.all(done.map((j) => inspectModel(j.outputPath!)));
    expect([h8!.quantization, h4!.quantization]).toEqual(['Q8_0', 'Q4_K_M']);
    expect(h8!.sizeBytes).toBeLessThan(plan.source.sizeBytes);
    expect(h4!.sizeBytes).toBeLessThan(h8!.sizeBytes);
    expect(Math.abs(h8!.sizeBytes - q8.expectedBytes!) / h8!.sizeBytes).toBeLessThan(0.1);
    await readGgufFile(done[1]!.outputPath!);
    const lib = await c.handlers['models.library']({}, direct);
    for (const [j, type] of [
      [done[0]!, 'Q8_0'],
      [done[1]!, 'Q4_K_M'],
    ] as const) {
      const m = lib.find((x) => x.path === j.outputPath);
      expect(m?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m?.provenance).toMatchObject({
        kind: 'quantized',
        sourcePath: source,
        sourceName: 'small-s1.gguf',
        sourceType: 'F16',
        type,
        imatrix: null,
        allowRequantize: false,
        llamaBuild: plan.llamaBuild,
      });
      expect(m?.provenance?.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(leftovers(dir)).toEqual([]);

    // Now it exists; and a Q4_K_M source needs the requantize confirmation.
    await expect(c.handlers['quant.start']({ modelPath: source, types: ['Q8_0'] }, direct)).rejects.toMatchObject({
      code: 'MODEL_EXISTS',
    });
    await expect(
      c.handlers['quant.start']({ modelPath: done[1]!.outputPath!, types: ['Q2_K'] }, direct),
    ).rejects.toMatchObject({ code: 'QUANT_REQUANTIZE', params: { from: 'Q4_K_M', type: 'Q2_K' } });
    expect((await c.handlers['work.list']({}, direct)).length).toBe(2);

    // Its quality against the best higher-precision sibling: the F16 it was made from.
    const qj = await c.handlers['quality.start']({ modelPath: done[1]!.outputPath!, text: 'en' }, direct);
    const qd = await settled(c, qj.id);
    expect(qd.error).toBeNull();
    expect(qd.result?.kld).toMatchObject({ basePath: source, baseType: 'F16' });
    expect(qd.result!.kld!.meanKld).toBeGreaterThan(0);
    expect(seen.some((j) => j.id === qj.id && j.phase === 'kld-base')).toBe(true);
  }, 240_000);

  it('computes an importance matrix first for a type that needs one, and reuses it the next time', async () => {
    const { dir, source } = modelsFolder();
    const c = await open(dir);
    const types = await c.handlers['quant.types']({}, direct);
    const needs = types.filter((t) => t.needsImatrix && t.family === 'i').map((t) => t.id);
    expect(needs.length).toBeGreaterThan(0);
    const jobs = await c.handlers['quant.start'](
      { modelPath: source, types: [needs[0]!], imatrix: { mode: 'compute', text: 'en' } },
      direct,
    );
    expect(jobs.map((j) => [j.kind, j.after])).toEqual([
      ['imatrix', null],
      ['quantize', jobs[0]!.id],
    ]);
    const [imx, q] = [await settled(c, jobs[0]!.id), await settled(c, jobs[1]!.id)];
    expect([imx.error, q.error]).toEqual([null, null]);
    expect(imx.outputPath).toMatch(/imatrix/);
    const m = (await c.handlers['models.library']({}, direct)).find((x) => x.path === q.outputPath);
    expect(m?.provenance?.imatrix).toMatchObject({ kind: 'computed', path: imx.outputPath, text: 'en' });
    expect(m?.provenance?.imatrix?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const plan = await c.handlers['quant.plan']({ modelPath: source }, direct);
    expect(plan.imatrixFiles).toMatchObject([{ path: imx.outputPath, text: 'en' }]);
    // The same model and text again: no second imatrix job (Q4_0: a quick type that also takes a matrix).
    const again = await c.handlers['quant.start'](
      { modelPath: source, types: ['Q4_0'], imatrix: { mode: 'compute', text: 'en' } },
      direct,
    );
    expect(again.map((j) => j.kind)).toEqual(['quantize']);
    const reused = await settled(c, again[0]!.id);
    expect(reused.error).toBeNull();
    const m2 = (await c.handlers['models.library']({}, direct)).find((x) => x.path === reused.outputPath);
    expect(m2?.provenance?.imatrix).toMatchObject({ kind: 'computed', path: imx.outputPath, text: 'en' });
  }, 240_000);

  it('cancel while llama-quantize runs: cancelled, no file left; a queued job is cancelled at once', async () => {
    const { dir, source } = modelsFolder();
    let cancelling: Promise<WorkJob> | null = null;
    let c: Core | null = null;
    let firstId = '';
    c = await open(dir, {
      ...QUICK,
      onChild: (_pid, kind) => {
        if (kind === 'quantize' && !cancelling && c) cancelling = c.handlers['work.cancel']({ id: firstId }, direct);
      },
    });
    const jobs = await c.handlers['quant.start']({ modelPath: source, types: ['Q4_K_M', 'Q8_0'] }, direct);
    firstId = jobs[0]!.id;
    const second = await c.handlers['work.cancel']({ id: jobs[1]!.id }, direct);
    expect(second.state).toBe('cancelled');
    const first = await settled(c, jobs[0]!.id);
    expect(cancelling).not.toBeNull();
    expect((await cancelling!).state).toBe('cancelled');
    expect(first.state).toBe('cancelled');
    expect(first.error).toBeNull();
    expect(fs.readdirSync(dir)).toEqual(['small-s1.gguf']);
    // Removed from the list once it no longer runs; unknown ids say so.
    expect(await c.handlers['work.remove']({ id: first.id }, direct)).toEqual({ removed: true });
    await expect(c.handlers['work.remove']({ id: first.id }, direct)).rejects.toMatchObject({
      code: 'WORK_NOT_FOUND',
    });
  }, 120_000);

  it('each bad request gets its error before anything is queued', async () => {
    const { dir, source } = modelsFolder();
    const c = await open(dir);
    const notGguf = path.join(dir, 'notes.gguf');
    fs.writeFileSync(notGguf, 'this is not a model\n');
    const badImatrix = path.join(tmp, 'bad.imatrix');
    fs.writeFileSync(badImatrix, 'not an importance matrix at all\n');
    const types = await c.handlers['quant.types']({}, direct);
    const needs = types.find((t) => t.needsImatrix)!;
    expect(needs).toBeDefined();
    const cases: [object, string][] = [
      [{ modelPath: path.join(dir, 'missing.gguf'), types: ['Q8_0'] }, 'MODEL_NOT_FOUND'],
      [{ modelPath: notGguf, types: ['Q8_0'] }, 'MODEL_NOT_GGUF'],
      [{ modelPath: source, types: ['Q9_ZZ'] }, 'QUANT_UNKNOWN_TYPE'],
      [{ modelPath: source, types: [needs.id] }, 'QUANT_NEEDS_IMATRIX'],
      [{ modelPath: source, types: [needs.id], imatrix: { mode: 'file', path: badImatrix } }, 'IMATRIX_INVALID'],
    ];
    for (const [req, code] of cases) {
      await expect(c.handlers['quant.start'](req as never, direct), code).rejects.toMatchObject({ code });
    }
    const unknown = await c.handlers['quant.start']({ modelPath: source, types: ['Q9_ZZ'] }, direct).catch((e) => e);
    expect(unknown.params.known).toContain('Q4_K_M');
    expect(await c.handlers['work.list']({}, direct)).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(['notes.gguf', 'small-s1.gguf']);
  }, 60_000);

  it('QUANT_TOOL_MISSING when the active runtime has no llama-quantize beside its llama-server', async () => {
    const { dir, source } = modelsFolder();
    const res = fs.mkdtempSync(path.join(tmp, 'res-'));
    const bin = path.join(res, 'bin', `${process.platform}-${process.arch}-cpu`);
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync(inject('llamaServer'), path.join(bin, 'llama-server'));
    fs.chmodSync(path.join(bin, 'llama-server'), 0o755);
    fs.cpSync(path.join(resourcesDir, 'eval-texts'), path.join(res, 'eval-texts'), { recursive: true });
    const c = await cut.start({ settings: { modelsDir: dir }, resourcesDirs: [res], quant: QUICK });
    for (const call of [
      () => c.handlers['quant.types']({}, direct),
      () => c.handlers['quant.start']({ modelPath: source, types: ['Q8_0'] }, direct),
      () => c.handlers['quality.start']({ modelPath: source, text: 'en' }, direct),
    ])
      await expect(call()).rejects.toMatchObject({ code: 'QUANT_TOOL_MISSING', params: { tool: 'llama-quantize' } });
    expect(await c.handlers['work.list']({}, direct)).toEqual([]);
  }, 60_000);

  it('a restart turns the running and the queued job into interrupted, and leaves no partial file', async () => {
    const { dir, source } = modelsFolder();
    const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
    const make = (onChild?: QuantOptions['onChild']) =>
      createCore({
        dataDir,
        resourcesDirs: [resourcesDir],
        shell: 'browser',
        version: 'test',
        env: { ...process.env, PATH: pathWithoutGpuTools() },
        quant: { ...QUICK, ...(onChild ? { onChild } : {}) },
      });
    fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ modelsDir: dir }));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const first = await make((_pid, kind) => kind === 'quantize' && started());
    let jobs: WorkJob[];
    try {
      jobs = await first.handlers['quant.start']({ modelPath: source, types: ['Q4_K_M', 'Q8_0'] }, direct);
      await running;
    } finally {
      await first.dispose();
    }
    const second = await make();
    try {
      const list = await second.handlers['work.list']({}, direct);
      const byId = new Map(list.map((j) => [j.id, j.state]));
      expect(byId.get(jobs[0]!.id)).toBe('interrupted');
      expect(byId.get(jobs[1]!.id)).toBe('interrupted');
      expect(fs.readdirSync(dir)).toEqual(['small-s1.gguf']);
      // Shown, never restarted by itself.
      await new Promise((r) => setTimeout(r, 300));
      expect((await second.handlers['work.list']({}, direct)).every((j) => j.state === 'interrupted')).toBe(true);
    } finally {
      await second.dispose();
    }
  }, 120_000);
});

describe('quality.start (real llama-perplexity)', () => {
  it('measures the tiny model (finite PPL > 1); the second request is answered from the cache', async () => {
    const { dir } = modelsFolder();
    const c = await open(dir);
    const seen = record(c);
    const job = await c.handlers['quality.start']({ modelPath: tinyModel, text: 'en', kld: 'off' }, direct);
    expect(job).toMatchObject({ kind: 'quality', state: 'queued', cached: false, target: 'en' });
    const done = await settled(c, job.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('completed');
    expect(done.cached).toBe(false);
    const r = done.result!;
    expect(Number.isFinite(r.ppl)).toBe(true);
    expect(r.ppl).toBeGreaterThan(1);
    expect(r).toMatchObject({ text: 'en', contextSize: 128, kld: null, modelPath: tinyModel });
    expect(seen.some((j) => j.id === job.id && j.phase === 'perplexity')).toBe(true);

    const again = await c.handlers['quality.start']({ modelPath: tinyModel, text: 'en', kld: 'off' }, direct);
    expect(again).toMatchObject({ state: 'completed', cached: true, progress: 1 });
    expect(again.result).toEqual(r);
    const results = await c.handlers['quality.results']({ modelPath: tinyModel }, direct);
    expect(results.map((x) => x.key)).toEqual([r.key]);
  }, 120_000);
});
