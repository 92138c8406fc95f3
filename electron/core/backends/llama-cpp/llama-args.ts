/**
 * Pure: LoadOptions → llama-server argv. Table-tested in llama-args.test.ts; no I/O here.
 * Flags follow the pinned llama.cpp (de3ff81): -lm replaces --no-mmap/--mlock, --fit refuses an explicit -ngl.
 */
import { AppError } from '../../../shared/errors';
import { resolveParallel } from '../../../shared/parallel-slots';
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

// The slot count (parallel 0 = auto: one per 2048 tokens of context, 1 to 8) and why: shared/parallel-slots.ts.
export { resolveParallel };

/**
 * The speculative-decoding flags at the pinned release (common/arg.cpp, common/speculative.cpp): --spec-type
 * defaults to none (so -md alone never drafts), and --draft/--draft-max/--draft-min were removed (they stop the
 * server). --spec-draft-n-max/-n-min and --spec-draft-p-min apply to the model drafters (draft-simple, draft-mtp;
 * MTP clamps n-max to its layer count); the n-gram types ignore them and have their own tuned sizes
 * (ngram-simple/map-k/map-k4v: a 48-token m-gram; ngram-mod: 48..64 tokens; ngram-cache: 8), so those get only
 * --spec-type.
 */
export function speculativeArgs(o: LoadOptions): string[] {
  const sp = o.speculative;
  if (sp.mode === 'off') return [];
  if (sp.mode === 'ngram') return ['--spec-type', sp.ngram];
  const n = [
    '--spec-draft-n-max',
    String(sp.draftMax),
    '--spec-draft-n-min',
    String(Math.min(sp.draftMin, sp.draftMax)),
  ];
  if (sp.mode === 'mtp') return ['--spec-type', 'draft-mtp', ...n];
  if (!sp.draftModel) throw new AppError('DRAFT_REQUIRED');
  const args = ['-md', sp.draftModel, '--spec-type', 'draft-simple', ...n, '--spec-draft-p-min', String(sp.draftPMin)];
  if (sp.draftGpuLayers !== 'auto') args.push('-ngld', String(sp.draftGpuLayers));
  return args;
}

/** -dev / -sm / -mg / -ts, and whether they need `--fit off` (--fit refuses -ts and -sm row|tensor). */
export function gpuArgs(o: LoadOptions): { args: string[]; fitOff: boolean } {
  const g = o.gpus;
  const args: string[] = [];
  if (g.devices) args.push('-dev', g.devices.length === 0 ? 'none' : g.devices.join(','));
  if (g.splitMode !== 'layer') args.push('-sm', g.splitMode);
  if (g.mainGpu > 0) args.push('-mg', String(g.mainGpu));
  if (g.tensorSplit) args.push('-ts', g.tensorSplit.map((x) => String(Math.round(x * 1000) / 1000)).join(','));
  return { args, fitOff: g.tensorSplit !== null || g.splitMode === 'row' };
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
    // RPC workers register their devices (RPC0, RPC1, … in this order) when the flag is parsed, so it comes before
    // anything that names devices (-dev, -mmdev; common/arg.cpp); --fit and the default split then count them.
    ...(o.rpcServers.length > 0 ? ['--rpc', o.rpcServers.join(',')] : []),
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
    String(resolveParallel(o)),
    '-fa',
    o.flashAttention,
    '--reasoning-format',
    o.reasoningFormat,
  ];
  // Auto: the count comes from us, so ask for llama.cpp's auto behaviour (one KV pool shared by every slot) by name.
  if (o.parallel === 0) args.push('-kvu');
  if (o.cacheReuse > 0) args.push('--cache-reuse', String(o.cacheReuse));
  if (input.alias) args.push('-a', input.alias);
  const gpu = gpuArgs(o);
  if (o.gpuLayers !== 'auto') {
    // --fit only adjusts what the user left unset and refuses an explicit -ngl, so turn it off with one.
    args.push('-ngl', String(o.gpuLayers), '--fit', 'off');
  } else if (o.cpuMoeLayers > 0) {
    // -ncmoe is a tensor override, which --fit also refuses (common/fit.cpp aborts and falls back to defaults):
    // an explicit expert placement means every other layer on the GPU, as llama.cpp itself does without --fit.
    args.push('-ngl', 'all', '--fit', 'off');
  } else if (gpu.fitOff) {
    // Our own split plan: every layer on the listed GPUs in the planned proportions.
    args.push('-ngl', 'all', '--fit', 'off');
  }
  args.push(...gpu.args);
  if (o.batch > 0) args.push('-b', String(o.batch));
  if (o.ubatch > 0) args.push('-ub', String(o.ubatch));
  if (o.threads > 0) args.push('-t', String(o.threads));
  if (o.cpuMoeLayers > 0) args.push('-ncmoe', String(o.cpuMoeLayers));
  if (o.cacheTypeK !== 'f16') args.push('-ctk', o.cacheTypeK);
  if (o.cacheTypeV !== 'f16') args.push('-ctv', o.cacheTypeV);
  if (o.loadMode !== 'auto') args.push('-lm', o.loadMode);
  args.push(...speculativeArgs(o));
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
