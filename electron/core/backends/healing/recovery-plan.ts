/**
 * Pure: what the self-healing supervision (self-healing.ts) does when a run ends on its own. Restart the same
 * options after a backoff (1 s, 2 s, 4 s; at most MAX_ATTEMPTS tries in a row that fail before a reply is served),
 * or, after an out-of-memory failure, step down one rung of the ladder (halve the context, quantize the KV cache,
 * halve the GPU layers, CPU only) and try that, or give up and stay crashed with the reason. An RPC worker that
 * dropped out (RPC_WORKER_LOST) is left out of the next run (step 'rpc-worker', "a,b" → "a"). Table-tested in
 * recovery-plan.test.ts.
 */
import type { AppError } from '../../../shared/errors';
import type { BackendSettings, RecoveryStep } from '../../../shared/backend-options';
import type { LoadOptions } from '../../../shared/schemas';
import type { BackendExit, BackendKind } from '../backend';

/** Tries in a row that may fail before the backend serves a reply (a served reply resets the count). */
export const MAX_ATTEMPTS = 3;
/** The schema's limit on recorded steps (Recovery.steps). */
export const MAX_STEPS = 16;

/** 1 s, 2 s, 4 s, … for the attempt about to be made (1 = the first restart), at most 8 s. */
export function backoffMs(attempt: number): number {
  return 1000 * 2 ** Math.min(3, Math.max(0, attempt - 1));
}

/** Failures no restart can mend: the same file, binary or options fail the same way again. */
const PERMANENT = new Set([
  'MODEL_UNSUPPORTED_ARCH',
  'MODEL_NOT_GGUF',
  'MODEL_TRUNCATED',
  'MODEL_NOT_FOUND',
  'BACKEND_BINARY_MISSING',
  'INVALID_PARAMS',
  'DRAFT_REQUIRED',
  // vLLM: the environment or the checkpoint, not a passing failure (a restart would fail the same way).
  'VLLM_NOT_FOUND',
  'VLLM_NO_GPU',
  'VLLM_UNSUPPORTED_QUANT',
  'VLLM_UNSUPPORTED_ARCH',
  'VLLM_PYTHON_ENV',
  'VLLM_BAD_MODEL',
  'VLLM_UNSUPPORTED_PLATFORM',
  // External servers: a wrong key, a server that is not OpenAI-compatible, a model it does not have, a certificate
  // we do not trust. A refused connection or a timeout is retried (the server may come back).
  'REMOTE_AUTH',
  'REMOTE_NOT_OPENAI',
  'REMOTE_MODEL_NOT_FOUND',
  'REMOTE_TLS',
  'REMOTE_BAD_URL',
  'REMOTE_NOT_FOUND',
]);

/** llama.cpp's ways of saying an allocation failed, when the classifier filed the exit as a plain load failure. */
const ALLOCATION =
  /out of memory|failed to allocate|unable to allocate|ErrorOutOfDeviceMemory|bad_alloc|alloc.* failed/i;

/** Out of memory: classified so, or a load failure whose output shows an allocation that failed. */
export function isOutOfMemory(error: Pick<AppError, 'code' | 'details'>): boolean {
  if (error.code === 'BACKEND_OOM') return true;
  return error.code === 'MODEL_LOAD_FAILED' && ALLOCATION.test(error.details ?? '');
}

export interface ModelHints {
  /** The model's training context (ModelFileInfo.contextLength), for context 0 ("the model's own"). */
  contextLength: number | null;
  /** {arch}.block_count, to turn 'auto'/'all' GPU layers into a number; null when not known. */
  blockCount: number | null;
}

export interface PlanInput {
  /** How the run ended (Backend.lastExit(), with BACKEND_HUNG when the watchdog ended it). */
  exit: BackendExit | null;
  /** Tries in a row that failed since the last served reply (0: this is the first failure). */
  attempt: number;
  /** Restarts since the user's start (0: the user's own start failed). */
  restarts: number;
  /** Steps already taken down the ladder since the user's options. */
  steps: number;
  settings: Pick<BackendSettings, 'autoRestart' | 'oomLadder' | 'minContext'>;
  /** The options of the run that ended. */
  options: LoadOptions;
  model: ModelHints;
  now: number;
  /**
   * The kind that ran (absent: llama-cpp). vLLM honours only the context rung (options.contextSize →
   * --max-model-len); the KV-cache, GPU-layers and CPU-only rungs would restart it with the same argv.
   */
  kind?: BackendKind;
}

export type RecoveryDecision =
  /** Not ours to handle: stopped by the user, or a failure at the user's own start that no restart can mend. */
  | { kind: 'none' }
  /** Try again after `delayMs` with `options` (the same, or one rung down: `step`). */
  | { kind: 'restart'; attempt: number; delayMs: number; options: LoadOptions; step: RecoveryStep | null }
  /** Stay crashed with the reason (the user can Retry). */
  | { kind: 'give-up'; error: AppError };

export function planRecovery(i: PlanInput): RecoveryDecision {
  const exit = i.exit;
  if (!exit || exit.kind === 'stopped') return { kind: 'none' };
  const error = exit.error;
  const helped = i.restarts > 0 || i.steps > 0;
  if (!i.settings.autoRestart) return helped ? { kind: 'give-up', error } : { kind: 'none' };
  if (exit.kind === 'not-started' || PERMANENT.has(error.code))
    return helped ? { kind: 'give-up', error } : { kind: 'none' };
  const attempt = i.attempt + 1;

  if (error.code === 'RPC_WORKER_LOST') {
    const rest = withoutLostWorker(i.options, error.params?.address, error.code, i.now);
    // Leaving a worker out is progress (bounded by the workers); when llama.cpp did not say which one it lost
    // (a reply cut mid-way), the same options again: the next load names the worker that no longer answers.
    if (rest)
      return {
        kind: 'restart',
        attempt,
        delayMs: backoffMs(Math.min(attempt, 2)),
        options: rest.options,
        step: rest.step,
      };
  }

  if (i.settings.oomLadder && isOutOfMemory(error)) {
    // A new rung is progress, so the ladder is bounded by its rungs, not by the attempts; without one left the
    // same options would fail the same way.
    const rung =
      i.steps < MAX_STEPS
        ? (i.kind === 'vllm' ? contextRung : nextRung)(i.options, i.model, i.settings.minContext, error.code, i.now)
        : null;
    if (!rung) return { kind: 'give-up', error };
    return {
      kind: 'restart',
      attempt,
      delayMs: backoffMs(Math.min(attempt, 2)),
      options: rung.options,
      step: rung.step,
    };
  }
  if (i.attempt >= MAX_ATTEMPTS) return { kind: 'give-up', error };
  return { kind: 'restart', attempt, delayMs: backoffMs(attempt), options: i.options, step: null };
}

/**
 * `o` without the lost worker: the one named, or the only one there is; null when it cannot be told (several
 * workers and no address) or it is not in the run.
 */
export function withoutLostWorker(
  o: LoadOptions,
  address: unknown,
  because: string,
  at: number,
): { options: LoadOptions; step: RecoveryStep } | null {
  const servers = o.rpcServers ?? [];
  const lost =
    typeof address === 'string' && servers.includes(address) ? address : servers.length === 1 ? servers[0]! : null;
  if (lost === null) return null;
  const rest = servers.filter((s) => s !== lost);
  return {
    options: { ...o, rpcServers: rest },
    step: { what: 'rpc-worker', from: servers.join(','), to: rest.join(','), because, at },
  };
}

/** Rung 1 of the ladder alone (vLLM): the context halved, not below the floor; null at the floor. */
export function contextRung(
  o: LoadOptions,
  model: ModelHints,
  minContext: number,
  because: string,
  at: number,
): { options: LoadOptions; step: RecoveryStep } | null {
  const r = nextRung(o, model, minContext, because, at);
  return r?.step.what === 'context' ? r : null;
}

const QUANTIZED = new Set(['q8_0', 'q4_0']);

/** The next rung down from `o`, or null when none is left. */
export function nextRung(
  o: LoadOptions,
  model: ModelHints,
  minContext: number,
  because: string,
  at: number,
): { options: LoadOptions; step: RecoveryStep } | null {
  const step = (what: RecoveryStep['what'], from: string, to: string): RecoveryStep => ({
    what,
    from,
    to,
    because,
    at,
  });

  // 1. Halve the context, not below the floor (0 = the model's own: start from its training context).
  const ctx = o.contextSize > 0 ? o.contextSize : model.contextLength;
  if (ctx !== null && ctx > minContext) {
    const to = Math.max(minContext, Math.floor(ctx / 2));
    return { options: { ...o, contextSize: to }, step: step('context', String(ctx), String(to)) };
  }

  // 2. Quantize the KV cache to q8_0; a quantized V cache needs flash attention, so 'off' becomes 'on'.
  if (!QUANTIZED.has(o.cacheTypeK) || !QUANTIZED.has(o.cacheTypeV)) {
    const from = o.cacheTypeK === o.cacheTypeV ? o.cacheTypeK : `${o.cacheTypeK}/${o.cacheTypeV}`;
    const cacheTypeK = QUANTIZED.has(o.cacheTypeK) ? o.cacheTypeK : 'q8_0';
    const cacheTypeV = QUANTIZED.has(o.cacheTypeV) ? o.cacheTypeV : 'q8_0';
    const to = cacheTypeK === cacheTypeV ? cacheTypeK : `${cacheTypeK}/${cacheTypeV}`;
    return {
      options: { ...o, cacheTypeK, cacheTypeV, flashAttention: o.flashAttention === 'off' ? 'on' : o.flashAttention },
      step: step('kv-cache', from, to),
    };
  }

  const cpuOnly = o.gpuLayers === 0 && o.gpus.devices !== null && o.gpus.devices.length === 0;
  if (cpuOnly) return null;

  // 3. Halve the GPU layers ('auto'/'all' from the model's block count; none known: straight to CPU only).
  const layers = typeof o.gpuLayers === 'number' ? o.gpuLayers : model.blockCount;
  if (layers !== null) {
    const to = Math.floor(layers / 2);
    if (to > 0) return { options: { ...o, gpuLayers: to }, step: step('gpu-layers', String(o.gpuLayers), String(to)) };
  }

  // 4. CPU only: no layers offloaded, no device used (-dev none), no split.
  return {
    options: {
      ...o,
      gpuLayers: 0,
      gpus: { ...o.gpus, devices: [], tensorSplit: null, mainGpu: 0, splitMode: 'layer' },
    },
    step: step('cpu-only', String(o.gpuLayers), '0'),
  };
}
