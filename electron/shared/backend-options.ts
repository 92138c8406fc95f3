/**
 * The load options added for a backend that tunes itself (speculative decoding, several GPUs, many clients) and the
 * state of its self-healing supervision. Kept apart from schemas.ts, which composes them into LoadOptions and
 * BackendStatus; nothing here imports schemas.ts.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';

/** llama-server's n-gram speculative types at the pinned release (common/speculative.cpp). */
export const NgramType = z.enum(['ngram-simple', 'ngram-map-k', 'ngram-map-k4v', 'ngram-mod', 'ngram-cache']);
export type NgramType = z.infer<typeof NgramType>;

/**
 * "Speed up with speculative decoding". off; draft: a small model of the same vocabulary proposes tokens
 * (--spec-type draft-simple -md FILE); ngram: lookup in the text so far (no extra memory); mtp: the GGUF's own
 * next-token-prediction layers ({arch}.nextn_predict_layers > 0; --spec-type draft-mtp).
 */
export const SpeculativeOptions = z.object({
  mode: z.enum(['off', 'draft', 'ngram', 'mtp']).default('off'),
  /** mode 'draft': the draft GGUF (absolute path); checked against the target's vocabulary before start. */
  draftModel: z.string().min(1).max(4096).nullable().default(null),
  /** mode 'ngram': which lookup. */
  ngram: NgramType.default('ngram-simple'),
  /** --spec-draft-n-max / --spec-draft-n-min: tokens drafted per step. */
  draftMax: z.number().int().min(1).max(64).default(16),
  draftMin: z.number().int().min(0).max(64).default(0),
  /** --spec-draft-p-min: stop drafting below this probability (draft mode). */
  draftPMin: z.number().min(0).max(1).default(0.75),
  /** -ngld: draft layers on the GPU; 'auto' = llama.cpp's default. */
  draftGpuLayers: z.union([z.literal('auto'), z.literal('all'), z.number().int().min(0).max(1000)]).default('auto'),
});
export type SpeculativeOptions = z.infer<typeof SpeculativeOptions>;

/** A backend device name as llama.cpp lists it (`--list-devices`): CUDA0, Vulkan1, ROCm0, Metal, RPC0… */
export const DeviceName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/);

/** Which GPUs a model uses and how it is split across them (llama-server -dev, -sm, -mg, -ts). */
export const GpuOptions = z.object({
  /** -dev: the devices to use, by name; null = every device the runtime sees. An empty list = CPU only (-dev none). */
  devices: z.array(DeviceName).max(16).nullable().default(null),
  /** -sm: layer (default: whole layers per GPU), row (rows of each matrix split; needs fast links), none (one GPU). */
  splitMode: z.enum(['layer', 'row', 'none']).default('layer'),
  /** -mg: index within the used devices that holds the output and (row mode) intermediate results. */
  mainGpu: z.number().int().min(0).max(15).default(0),
  /** -ts: proportion per used device; null = our plan splits by free memory (several GPUs) or llama.cpp fits. */
  tensorSplit: z.array(z.number().min(0).max(1e6)).min(1).max(16).nullable().default(null),
});
export type GpuOptions = z.infer<typeof GpuOptions>;

/** One rung of the out-of-memory ladder, shown as "context 32768 → 16384 (out of memory)". */
export const RecoveryStep = z.object({
  what: z.enum(['context', 'kv-cache', 'gpu-layers', 'cpu-only', 'rpc-worker']),
  from: z.string(),
  to: z.string(),
  /** The error code that made us step down (BACKEND_OOM). */
  because: z.string(),
  at: z.number(),
});
export type RecoveryStep = z.infer<typeof RecoveryStep>;

/**
 * Self-healing supervision, beside the backend state: what happened, what it does about it. null when the run
 * never needed help. `state` of BackendStatus still says stopped/starting/…/crashed; this says why and what next.
 */
export const Recovery = z.object({
  /** What ended the last run (BACKEND_CRASHED, BACKEND_OOM, BACKEND_HUNG, …). */
  reason: ErrorInfo,
  /** Consecutive tries that failed before serving a reply (a served reply resets it). */
  attempt: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  /** 'restarting': waiting `nextAt` for the next try; 'restarted': running again; 'gave-up': stays crashed (Retry). */
  phase: z.enum(['restarting', 'restarted', 'gave-up']),
  /** Epoch ms of the next try while restarting, else null. */
  nextAt: z.number().nullable(),
  /** Out-of-memory steps taken since the user's own options (empty: same options as the user chose). */
  steps: z.array(RecoveryStep).max(16),
  /** Restarts since the model was started by the user. */
  restarts: z.number().int().min(0),
});
export type Recovery = z.infer<typeof Recovery>;

/** Settings of the supervision. */
export const BackendSettings = z.object({
  /** Restart a backend that crashed or hung (with backoff, at most maxAttempts failing tries in a row). */
  autoRestart: z.boolean().default(true),
  /** Step down context / KV / layers after an out-of-memory failure. */
  oomLadder: z.boolean().default(true),
  /** Reload the last model when the app starts; null = the shell's default (on in the desktop app, off headless). */
  reloadLastModel: z.boolean().nullable().default(null),
  /** A ready backend whose /health and /slots stay silent this long is hung and replaced. */
  hangTimeoutS: z.number().int().min(5).max(600).default(30),
  /** The ladder never halves the context below this. */
  minContext: z.number().int().min(512).max(1_048_576).default(2048),
});
export type BackendSettings = z.infer<typeof BackendSettings>;
