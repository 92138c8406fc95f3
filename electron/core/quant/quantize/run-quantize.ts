/**
 * Runs llama-quantize for one target type (I/O). The tool writes straight into `output` (a temp path the caller
 * gives); on failure or cancel that partial file is removed. CPU only: llama-quantize never touches a GPU, so it
 * cannot take VRAM from the chat model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { QuantTypeId } from '../../../shared/provenance';
import type { RunContext } from '../types';
import { quantizeFailure, quantizeProgress } from './quantize-output';
import { runProcess } from './run-process';

export interface QuantizeRequest {
  source: string;
  output: string;
  type: string;
  imatrix: string | null;
  allowRequantize: boolean;
  threads?: number;
}

/**
 * The command line (tools/quantize/quantize.cpp): `[--allow-requantize] [--imatrix f] src dst TYPE [nthreads]`.
 * Paths must be absolute: the tool reads any leading "--" word as an option. A split source is given by its first
 * shard (the loader finds the others); without --keep-split the result is one file.
 */
export function quantizeArgs(req: QuantizeRequest): string[] {
  for (const p of [req.source, req.output, ...(req.imatrix ? [req.imatrix] : [])]) {
    if (!path.isAbsolute(p))
      throw new AppError('QUANT_FAILED', { type: req.type, reason: `not an absolute path: ${p}` });
  }
  if (!QuantTypeId.safeParse(req.type).success) {
    throw new AppError('QUANT_UNKNOWN_TYPE', { type: req.type.slice(0, 40), known: '' });
  }
  if (path.resolve(req.source) === path.resolve(req.output)) {
    throw new AppError('QUANT_FAILED', { type: req.type, reason: 'the output would overwrite the source' });
  }
  const args: string[] = [];
  if (req.allowRequantize) args.push('--allow-requantize');
  if (req.imatrix) args.push('--imatrix', req.imatrix);
  args.push(req.source, req.output, req.type);
  if (req.threads !== undefined) args.push(String(Math.max(1, Math.floor(req.threads))));
  return args;
}

/**
 * Quantizes `req.source` into `req.output`, reporting {phase: 'quantize', done, total} per tensor. Rejects with
 * QUANT_NEEDS_IMATRIX / QUANT_REQUANTIZE / QUANT_FAILED (from the tool's output), QUANT_TOOL_MISSING when the tool
 * cannot start, or the signal's reason once it aborts; the output file is removed in every one of those cases.
 */
export async function runQuantize(bin: string, req: QuantizeRequest, ctx: RunContext): Promise<void> {
  const args = quantizeArgs(req);
  ctx.log(`llama-quantize ${args.join(' ')}`);
  let total = 0;
  const r = await runProcess(bin, args, {
    signal: ctx.signal,
    onChild: ctx.onChild,
    onLine: (line) => {
      const p = quantizeProgress(line);
      if (p) {
        total = p.total;
        ctx.report({ phase: 'quantize', done: p.done, total: p.total });
      } else if (line.trim()) ctx.log(line);
    },
  });
  const fail = async (e: unknown): Promise<never> => {
    await fs.rm(req.output, { force: true }).catch(() => undefined);
    throw e;
  };
  if (r.aborted) return fail(ctx.signal.reason ?? new Error('cancelled'));
  if (r.missing)
    return fail(new AppError('QUANT_TOOL_MISSING', { tool: 'llama-quantize', path: bin }, r.error ?? undefined));
  if (r.code !== 0) return fail(quantizeFailure(req.type, r.tail, r));
  const st = await fs.stat(req.output).catch(() => null);
  if (!st?.isFile() || st.size === 0) {
    return fail(new AppError('QUANT_FAILED', { type: req.type, reason: 'llama-quantize finished but wrote no file' }));
  }
  if (total > 0) ctx.report({ phase: 'quantize', done: total, total });
}
