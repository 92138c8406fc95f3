/**
 * Pure: LoadOptions → llama-server argv. Table-tested in llama-args.test.ts; no I/O here.
 * Flags follow the pinned llama.cpp (de3ff81): -lm replaces --no-mmap/--mlock, --fit refuses an explicit -ngl.
 */
import { AppError } from '../../../shared/errors';
import type { LoadOptions } from '../../../shared/schemas';
import type { BackendCapabilities } from '../backend';

export interface LlamaServerArgsInput {
  modelPath: string;
  options: LoadOptions;
  apiKeyFile: string;
  host?: string;
  /** 0 lets the OS pick a free port; the supervisor reads the real one from the "listening on" line. */
  port?: number;
  alias?: string;
}

const QUANTIZED_KV = new Set(['q8_0', 'q4_0']);

export function buildLlamaServerArgs(input: LlamaServerArgsInput): string[] {
  const o = input.options;
  if (QUANTIZED_KV.has(o.cacheTypeV) && o.flashAttention === 'off') {
    throw new AppError('INVALID_PARAMS', {
      issues: 'a quantized V cache needs flash attention (set it to auto or on)',
    });
  }
  const args = [
    '-m',
    input.modelPath,
    '--host',
    input.host ?? '127.0.0.1',
    '--port',
    String(input.port ?? 0),
    '--api-key-file',
    input.apiKeyFile,
    '--no-ui',
    '--metrics',
    '--log-colors',
    'off',
    '-c',
    String(o.contextSize),
    '-np',
    String(o.parallel),
    '-fa',
    o.flashAttention,
    '--reasoning-format',
    o.reasoningFormat,
  ];
  if (input.alias) args.push('-a', input.alias);
  if (o.gpuLayers !== 'auto') {
    // --fit only adjusts what the user left unset and refuses an explicit -ngl, so turn it off with one.
    args.push('-ngl', String(o.gpuLayers), '--fit', 'off');
  } else if (o.cpuMoeLayers > 0) {
    // -ncmoe is a tensor override, which --fit also refuses (common/fit.cpp aborts and falls back to defaults):
    // an explicit expert placement means every other layer on the GPU, as llama.cpp itself does without --fit.
    args.push('-ngl', 'all', '--fit', 'off');
  }
  if (o.threads > 0) args.push('-t', String(o.threads));
  if (o.cpuMoeLayers > 0) args.push('-ncmoe', String(o.cpuMoeLayers));
  if (o.cacheTypeK !== 'f16') args.push('-ctk', o.cacheTypeK);
  if (o.cacheTypeV !== 'f16') args.push('-ctv', o.cacheTypeV);
  if (o.loadMode !== 'auto') args.push('-lm', o.loadMode);
  return args;
}

/**
 * What a llama-server started with `args` serves, read from the argv itself so it cannot drift from what we pass.
 * Defaults are the pinned build's (common/common.h, common/arg.cpp): /slots on unless --no-slots, /metrics only with
 * --metrics, embeddings only with --embeddings, no speculative decoding unless --spec-type names one.
 */
export function llamaCapabilities(args: readonly string[], baseUrl: string): BackendCapabilities {
  const value = (flag: string) => {
    const i = args.lastIndexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const spec = value('--spec-type');
  return {
    reasoning: value('--reasoning-format') === 'none' ? 'inline' : 'separate',
    speculative: spec && spec !== 'none' ? spec : null,
    metrics: args.includes('--metrics') ? { url: `${baseUrl}/metrics`, dialect: 'llamacpp' } : null,
    slotsUrl: args.includes('--no-slots') ? null : `${baseUrl}/slots`,
    embeddings: args.includes('--embeddings') || args.includes('--embedding'),
  };
}

/** llama-server honours LLAMA_ARG_* variables; strip them so settings alone decide how it runs. */
export function backendEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('LLAMA_ARG_') && k !== 'LLAMA_API_KEY') out[k] = v;
  return out;
}
