/**
 * A quality check (I/O): llama-perplexity over a bundled text, and with a base model also the KL-divergence
 * against it. The base model's log-probs are computed once per base + text + settings (--kl-divergence-base, the
 * 'kld-base' phase) and kept in the store's kld-base folder; each quant is then compared with them (--kl-divergence,
 * which also gives both perplexities). Without a base it is one plain perplexity run.
 *
 * GPU: `-fit on` (common/arg.cpp offers --fit to every tool, default on; we say it explicitly): llama.cpp sizes the
 * GPU layers to the memory that is FREE when the tool starts, so a loaded chat model keeps its VRAM and the tool
 * runs partly on the CPU instead of failing. The context is set by us (-c), so fit never shrinks it. `-b` = the
 * context: one sequence per batch keeps the logits buffer at n_ctx × n_vocab floats (311 MB for a 152k vocabulary)
 * instead of 4× that with llama-perplexity's default batch of 2048.
 */
import fs from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import type { EvalTextId, QualityResult } from '../../../shared/quant';
import { readGgufFile } from '../../models/gguf';
import type { RunContext } from '../types';
import {
  failureLine,
  fatalLine,
  parseChunkTotal,
  parseKld,
  parseKldProgress,
  parsePplFinal,
  parsePplProgress,
} from './parse';
import { streamTool, type ToolRun } from './process';
import { chunksForKldBase, kldBaseBytes } from './settings';
import { qualityKey, type QualityStore } from './store';

export interface QualityModel {
  path: string;
  sha256: string;
  type: string | null;
}

export interface QualityRunRequest {
  model: QualityModel;
  text: { id: EvalTextId; path: string; sha256: string };
  base: QualityModel | null;
  contextSize: number;
  chunks: number;
  threads?: number;
  store: QualityStore;
  build: string;
  /** Extra arguments for every llama-perplexity run (tests: none; the caller may pass -ngl). */
  extraArgs?: string[];
}

export async function runQuality(bin: string, req: QualityRunRequest, ctx: RunContext): Promise<QualityResult> {
  ctx.signal.throwIfAborted();
  const started = Date.now();
  const common = [
    '-c',
    String(req.contextSize),
    '-b',
    String(req.contextSize),
    '-fit',
    'on',
    ...(req.threads ? ['-t', String(req.threads)] : []),
    ...(req.extraArgs ?? []),
  ];
  let ppl: number;
  let pplStdErr: number | null;
  let chunks: number;
  let kld: QualityResult['kld'] = null;
  if (req.base) {
    const base = req.base;
    const { file: basePath, chunks: baseChunks } = await ensureBase(bin, req, base, common, ctx);
    const run = await runPhase(
      bin,
      ['-m', req.model.path, '--kl-divergence-base', basePath, '--kl-divergence', ...common],
      'kld',
      baseChunks,
      parseKldProgress,
      ctx,
    );
    const text = run.stdout + '\n' + run.stderr;
    const figures = parseKld(text);
    if (!figures) throw failed(run, 'no KL-divergence summary in the output');
    chunks = parseChunkTotal(text) ?? req.chunks;
    ppl = figures.pplQ;
    pplStdErr = figures.pplQStdErr;
    kld = {
      basePath: base.path,
      baseSha256: base.sha256,
      baseType: base.type,
      basePpl: figures.pplBase,
      meanKld: figures.meanKld,
      meanKldStdErr: figures.meanKldStdErr,
      sameTopPct: figures.sameTopPct,
      pplRatio: figures.pplRatio,
    };
  } else {
    const args = ['-m', req.model.path, '-f', req.text.path, '--chunks', String(req.chunks), ...common];
    const run = await runPhase(bin, args, 'perplexity', req.chunks, parsePplProgress, ctx);
    const text = run.stdout + '\n' + run.stderr;
    const final = parsePplFinal(text);
    if (!final) throw failed(run, 'no final perplexity estimate in the output');
    chunks = parseChunkTotal(text) ?? req.chunks;
    ppl = final.ppl;
    pplStdErr = final.stdErr;
  }
  const result: QualityResult = {
    key: qualityKey({
      modelSha256: req.model.sha256,
      textSha256: req.text.sha256,
      contextSize: req.contextSize,
      chunks: req.chunks,
      baseSha256: req.base?.sha256 ?? null,
    }),
    modelPath: req.model.path,
    modelSha256: req.model.sha256,
    modelType: req.model.type,
    text: req.text.id,
    textSha256: req.text.sha256,
    contextSize: req.contextSize,
    chunks,
    ppl,
    pplStdErr,
    kld,
    measuredAt: Date.now(),
    seconds: (Date.now() - started) / 1000,
    llamaBuild: req.build,
  };
  await req.store.put(result);
  return result;
}

/** The base logits file for this base + text + settings: the cached one, or computed now ('kld-base'). */
async function ensureBase(
  bin: string,
  req: QualityRunRequest,
  base: QualityModel,
  common: string[],
  ctx: RunContext,
): Promise<{ file: string; chunks: number }> {
  const nVocab = await vocabSize(base.path);
  // A big vocabulary makes the file huge: fewer chunks keep it under the cap (settings.ts has the arithmetic).
  const chunks = nVocab ? chunksForKldBase(nVocab, req.contextSize, req.chunks) : req.chunks;
  const file = req.store.basePath({
    baseSha256: base.sha256,
    textSha256: req.text.sha256,
    contextSize: req.contextSize,
    chunks,
  });
  if (await req.store.useBase(file)) return { file, chunks };
  await req.store.makeRoomForBase(nVocab ? kldBaseBytes(nVocab, req.contextSize, chunks) : 0);
  const partial = `${file}.partial`;
  const args = ['-m', base.path, '-f', req.text.path, '--chunks', String(chunks), '--kl-divergence-base', partial];
  try {
    const run = await runPhase(bin, [...args, ...common], 'kld-base', chunks, parsePplProgress, ctx);
    const text = run.stdout + '\n' + run.stderr;
    if (!parsePplFinal(text)) throw failed(run, 'the base model run gave no perplexity');
    const done = parseChunkTotal(text);
    const st = await fs.stat(partial).catch(() => null);
    const want = nVocab && done ? kldBaseBytes(nVocab, req.contextSize, done) : null;
    if (!st || st.size === 0 || (want !== null && st.size !== want))
      throw new AppError('QUALITY_FAILED', {
        reason: `the base logits file is ${st ? `${st.size} bytes` : 'missing'}${want !== null ? `, expected ${want}` : ''}`,
      });
    await fs.rename(partial, file);
    return { file, chunks: done ?? chunks };
  } finally {
    await fs.rm(partial, { force: true }).catch(() => undefined);
  }
}

/** One llama-perplexity run with progress; rejects with the signal's reason when cancelled. */
async function runPhase(
  bin: string,
  args: string[],
  phase: 'perplexity' | 'kld-base' | 'kld',
  expected: number,
  progress: (stdout: string) => number,
  ctx: RunContext,
): Promise<ToolRun> {
  ctx.log(`llama-perplexity ${args.join(' ')}`);
  let total = expected;
  let last = -1;
  ctx.report({ phase, done: 0, total });
  const run = await streamTool(bin, args, {
    signal: ctx.signal,
    onChild: ctx.onChild,
    onOutput: (stdout, stderr) => {
      const t = parseChunkTotal(stderr) ?? parseChunkTotal(stdout);
      if (t !== null) total = t;
      const done = Math.min(Math.max(progress(stdout), progress(stderr)), total);
      if (done !== last) {
        last = done;
        ctx.report({ phase, done, total });
      }
    },
  });
  if (run.aborted) throw ctx.signal.reason;
  if (run.spawnError)
    throw new AppError('QUALITY_FAILED', { reason: `llama-perplexity did not start: ${run.spawnError}` });
  if (run.code !== 0) throw failed(run, `llama-perplexity exited with ${run.signal ?? `code ${run.code}`}`);
  const fatal = fatalLine(run.stderr) ?? fatalLine(run.stdout);
  if (fatal) throw new AppError('QUALITY_FAILED', { reason: fatal }, run.stderr.slice(-4000));
  return run;
}

function failed(run: ToolRun, fallback: string): AppError {
  const line = failureLine(run.stderr) ?? failureLine(run.stdout);
  return new AppError('QUALITY_FAILED', { reason: line ?? fallback }, run.stderr.slice(-4000));
}

/** The base model's vocabulary size (tokenizer.ggml.tokens), or null when its header does not say. */
async function vocabSize(file: string): Promise<number | null> {
  try {
    const h = await readGgufFile(file);
    const tokens = h.metadata.get('tokenizer.ggml.tokens');
    return tokens && typeof tokens === 'object' && 'length' in tokens && tokens.length > 0 ? tokens.length : null;
  } catch {
    return null;
  }
}
