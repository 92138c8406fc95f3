/**
 * Computes an importance matrix with llama-imatrix (tools/imatrix/imatrix.cpp at the pin) on a calibration text.
 * At this pin the tool writes GGUF by default (`--output-format gguf|dat`); we ask for GGUF explicitly. It also
 * rewrites its output every `--output-frequency` chunks, so it writes to a hidden temp file beside `output` and the
 * finished, checked file is renamed into place: `output` is either complete or absent.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { RunContext } from '../types';
import { checkImatrixFile } from './imatrix-file';
import { failureReason } from './quantize-output';
import { runProcess } from './run-process';

export interface ImatrixRequest {
  model: string;
  textPath: string;
  output: string;
  contextSize: number;
  chunks: number;
  threads?: number;
}

/**
 * The command line. `--fit on` (common/arg.cpp: a common option every tool takes, on by default) lets a GPU build
 * put only what fits in the free device memory on the GPU, so the chat model that already holds VRAM keeps it;
 * a CPU build ignores it.
 */
export function imatrixArgs(req: ImatrixRequest, tmpOutput: string): string[] {
  for (const p of [req.model, req.textPath, req.output]) {
    if (!path.isAbsolute(p)) throw new AppError('IMATRIX_FAILED', { reason: `not an absolute path: ${p}` });
  }
  const int = (n: number, min: number) => String(Math.max(min, Math.floor(Number.isFinite(n) ? n : min)));
  const args = [
    '-m',
    req.model,
    '-f',
    req.textPath,
    '-o',
    tmpOutput,
    '--output-format',
    'gguf',
    '-c',
    int(req.contextSize, 8),
    '--chunks',
    int(req.chunks, 1),
    // Write once at the end, not every 10 chunks.
    '--output-frequency',
    int(req.chunks + 1, 2),
    '--fit',
    'on',
  ];
  if (req.threads !== undefined) args.push('-t', int(req.threads, 1));
  return args;
}

/** "computing over 4 chunks, n_ctx=128, …": the real chunk count (fewer when the text is short). */
export function imatrixTotal(line: string): number | null {
  const m = /computing over (\d{1,7}) chunks/.exec(line);
  return m ? Number(m[1]) : null;
}

/** The running perplexity printed after each chunk, without newlines: "[1]38.5021,[2]40.1234,". Last index seen. */
export function imatrixChunksDone(text: string): number | null {
  let last: number | null = null;
  for (const m of text.matchAll(/\[(\d{1,7})\](?:-?\d|nan|inf)/gi)) last = Number(m[1]);
  return last;
}

export async function runImatrix(bin: string, req: ImatrixRequest, ctx: RunContext): Promise<void> {
  const dir = path.dirname(req.output);
  const tmp = path.join(dir, `.${path.basename(req.output)}.${randomBytes(4).toString('hex')}.partial.gguf`);
  const args = imatrixArgs(req, tmp);
  ctx.log(`llama-imatrix ${args.join(' ')}`);
  let total = Math.max(1, Math.floor(req.chunks));
  let done = 0;
  let pending = '';
  const r = await runProcess(bin, args, {
    signal: ctx.signal,
    onChild: ctx.onChild,
    onLine: (line) => {
      const t = imatrixTotal(line);
      if (t !== null && t > 0) {
        total = t;
        ctx.report({ phase: 'imatrix', done, total });
      }
      if (line.trim() && !/^\[\d+\]/.test(line)) ctx.log(line);
    },
    onText: (text) => {
      // Keep a short tail so a "[12]" split across two reads is still seen.
      pending = (pending + text).slice(-256);
      const d = imatrixChunksDone(pending);
      if (d !== null && d > done && d <= total) {
        done = d;
        ctx.report({ phase: 'imatrix', done, total });
      }
    },
  });
  const fail = async (e: unknown): Promise<never> => {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  };
  if (r.aborted) return fail(ctx.signal.reason ?? new Error('cancelled'));
  if (r.missing)
    return fail(new AppError('QUANT_TOOL_MISSING', { tool: 'llama-imatrix', path: bin }, r.error ?? undefined));
  if (r.code !== 0) {
    return fail(
      new AppError(
        'IMATRIX_FAILED',
        { reason: failureReason('llama-imatrix', r.tail, r) },
        r.tail.join('\n').slice(-4000),
      ),
    );
  }
  try {
    await checkImatrixFile(tmp);
  } catch (e) {
    const reason = e instanceof AppError ? String(e.params?.reason ?? e.message) : String(e);
    return fail(new AppError('IMATRIX_FAILED', { reason: `llama-imatrix wrote no usable file (${reason})` }));
  }
  try {
    await fs.rename(tmp, req.output);
  } catch (e) {
    return fail(
      new AppError('IMATRIX_FAILED', { reason: `could not move the result into place: ${(e as Error).message}` }),
    );
  }
  ctx.report({ phase: 'imatrix', done: total, total });
}
