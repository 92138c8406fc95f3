/**
 * The quality runner against the real llama-perplexity (the CPU build beside the test llama-server) on synthetic
 * models: plain perplexity on the tiny model, KL-divergence of real llama-quantize outputs (Q8_0, Q4_K_M) of the
 * `small` model against its F16, cancel, and the tool's own failures. Small contexts and chunk counts keep each run
 * to seconds (KL-divergence needs ≥ 100 scored tokens: 2 chunks of 128 give 126).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cacheRoot, ensureTestModel } from '../../../../scripts/make-test-model.mjs';
import { AppError } from '../../../shared/errors';
import type { RunContext, RunProgress } from '../types';
import { FileHashes } from './hashes';
import { runQuality, type QualityModel, type QualityRunRequest } from './run';
import { QualityStore } from './store';
import { evalTextPath } from './texts';

const run = promisify(execFile);
const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

let tmp: string;
let bin: string;
let text: QualityRunRequest['text'];
let store: QualityStore;
let hashes: FileHashes;
let tiny: QualityModel;
let f16: QualityModel;
let q8: QualityModel;
let q4: QualityModel;

function context(signal = new AbortController().signal) {
  const reports: RunProgress[] = [];
  const pids: number[] = [];
  const ctx: RunContext = {
    signal,
    report: (p) => reports.push(p),
    log: () => undefined,
    onChild: (pid) => pids.push(pid),
  };
  return { ctx, reports, pids };
}

async function model(file: string, type: string): Promise<QualityModel> {
  return { path: file, sha256: await hashes.sha256(file), type };
}

/**
 * The `small` model quantized by the real llama-quantize, run directly (not through the app's quantize runner);
 * kept in the test-model cache per source and tool (size + mtime), since Q4_K_M takes ~20 s on a busy 2-core CI.
 */
async function quantized(quantizeBin: string, source: string, type: string): Promise<string> {
  const [src, tool] = await Promise.all([fs.stat(source), fs.stat(quantizeBin)]);
  const stamp = `${src.size}-${Math.floor(src.mtimeMs)}-${tool.size}-${Math.floor(tool.mtimeMs)}`;
  const out = path.join(cacheRoot(), 'test-models', `${path.basename(source, '.gguf')}-${type}-${stamp}.gguf`);
  if (await fs.stat(out).catch(() => null)) return out;
  const part = `${out}.${process.pid}.tmp`;
  await run(quantizeBin, [source, part, type, '2']);
  await fs.rename(part, out);
  // Quants made by an earlier build of the tool are not used again.
  const prefix = `${path.basename(source, '.gguf')}-${type}-`;
  for (const name of await fs.readdir(path.dirname(out)))
    if (name.startsWith(prefix) && name.endsWith('.gguf') && name !== path.basename(out))
      await fs.rm(path.join(path.dirname(out), name), { force: true });
  return out;
}

const base = { contextSize: 128, chunks: 2, threads: 2, build: 'test-build' };

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'quality-int-'));
  const dir = path.dirname(inject('llamaServer'));
  bin = path.join(dir, exe('llama-perplexity'));
  const t = await evalTextPath([inject('resourcesDir')], 'en');
  text = { id: 'en', ...t };
  store = new QualityStore(tmp);
  hashes = new FileHashes(tmp);
  tiny = await model(inject('tinyModel'), 'F16');
  const small = await ensureTestModel({ preset: 'small', seed: 1 });
  f16 = await model(small, 'F16');
  q8 = await model(await quantized(path.join(dir, exe('llama-quantize')), small, 'Q8_0'), 'Q8_0');
  q4 = await model(await quantized(path.join(dir, exe('llama-quantize')), small, 'Q4_K_M'), 'Q4_K_M');
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('runQuality (real llama-perplexity)', () => {
  it('perplexity of the tiny model over the bundled English text is finite and above 1, with chunk progress', async () => {
    const { ctx, reports } = context();
    const r = await runQuality(bin, { ...base, model: tiny, text, base: null, store }, ctx);
    expect(Number.isFinite(r.ppl)).toBe(true);
    expect(r.ppl).toBeGreaterThan(1);
    expect(r.pplStdErr).not.toBeNull();
    expect(r.kld).toBeNull();
    expect(r).toMatchObject({
      chunks: 2,
      contextSize: 128,
      text: 'en',
      modelSha256: tiny.sha256,
      llamaBuild: 'test-build',
    });
    expect(reports.every((p) => p.phase === 'perplexity' && p.total === 2)).toBe(true);
    expect(reports.at(-1)?.done).toBe(2);
    expect(await store.get(r.key)).toEqual(r);
  });

  it('the bundled Chinese text runs too (finite perplexity above 1)', async () => {
    const zh = await evalTextPath([inject('resourcesDir')], 'zh-CN');
    const r = await runQuality(
      bin,
      { ...base, model: tiny, text: { id: 'zh-CN', ...zh }, base: null, store },
      context().ctx,
    );
    expect(Number.isFinite(r.ppl)).toBe(true);
    expect(r.ppl).toBeGreaterThan(1);
    expect(r.text).toBe('zh-CN');
  });

  it('KL-divergence against the F16: Q8_0 is closer than Q4_K_M; the base logits are computed once', async () => {
    const first = context();
    const r8 = await runQuality(bin, { ...base, model: q8, text, base: f16, store }, first.ctx);
    expect(first.reports.some((p) => p.phase === 'kld-base')).toBe(true);
    expect(first.reports.at(-1)).toMatchObject({ phase: 'kld', done: 2, total: 2 });
    const files = await fs.readdir(store.baseDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.kld$/);

    const second = context();
    const r4 = await runQuality(bin, { ...base, model: q4, text, base: f16, store }, second.ctx);
    expect(second.reports.some((p) => p.phase === 'kld-base')).toBe(false);
    expect(second.pids).toHaveLength(1);
    expect(await fs.readdir(store.baseDir)).toEqual(files);

    for (const r of [r8, r4]) {
      expect(r.kld).toMatchObject({ basePath: f16.path, baseSha256: f16.sha256, baseType: 'F16' });
      expect(r.kld!.meanKld).toBeGreaterThanOrEqual(0);
      expect(r.kld!.sameTopPct).toBeGreaterThan(0);
      expect(r.kld!.sameTopPct).toBeLessThanOrEqual(100);
      expect(r.kld!.pplRatio).toBeGreaterThan(0);
      expect(r.ppl).toBeGreaterThan(1);
      // Both compared with the same base logits: the same base perplexity.
      expect(r.kld!.basePpl).toBe(r8.kld!.basePpl);
    }
    expect(r8.kld!.meanKld).toBeLessThan(r4.kld!.meanKld);
    expect(r8.key).not.toBe(r4.key);
  });

  it('cancel during the base run kills llama-perplexity and leaves no base file, partial or whole', async () => {
    const ac = new AbortController();
    const { ctx, pids } = context(ac.signal);
    const reason = new Error('cancelled by the test');
    const report = ctx.report;
    ctx.report = (p) => {
      report(p);
      // The first chunk is written: the partial file exists now.
      if (p.phase === 'kld-base' && p.done >= 1) ac.abort(reason);
    };
    const other = await fs.mkdtemp(path.join(tmp, 'cancel-'));
    const s = new QualityStore(other);
    const req = { ...base, chunks: 40, model: q8, text, base: f16, store: s };
    await expect(runQuality(bin, req, ctx)).rejects.toBe(reason);
    expect(pids).toHaveLength(1);
    expect(() => process.kill(pids[0]!, 0)).toThrow();
    expect(await fs.readdir(s.baseDir)).toEqual([]);
    expect(await s.list()).toEqual([]);
  });

  it('an already aborted signal runs nothing', async () => {
    const ac = new AbortController();
    ac.abort(new Error('before start'));
    const { ctx, pids } = context(ac.signal);
    await expect(runQuality(bin, { ...base, model: tiny, text, base: null, store }, ctx)).rejects.toThrow(
      'before start',
    );
    expect(pids).toEqual([]);
  });

  it('a text too short for the context is QUALITY_FAILED with the tool’s own line', async () => {
    const short = path.join(tmp, 'short.txt');
    await fs.writeFile(short, 'Call me Ishmael.');
    const { ctx } = context();
    const e = await runQuality(
      bin,
      { ...base, model: tiny, text: { ...text, path: short }, base: null, store },
      ctx,
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('QUALITY_FAILED');
    expect(String((e as AppError).params?.reason)).toMatch(/you need at least 256 tokens|tokenizes to only/);
  });

  it('a model file that is not a model is QUALITY_FAILED', async () => {
    const bad = path.join(tmp, 'bad.gguf');
    await fs.writeFile(bad, 'not a gguf at all');
    const { ctx } = context();
    await expect(
      runQuality(bin, { ...base, model: { ...tiny, path: bad }, text, base: null, store }, ctx),
    ).rejects.toMatchObject({ code: 'QUALITY_FAILED' });
  });
});
