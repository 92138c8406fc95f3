/**
 * Auto-tune (llama-bench sweeps), the per-model saved load options it and the out-of-memory ladder produce, and the
 * per-GPU plan shown before a load. Shared by core, contract and renderer.
 */
import { z } from 'zod';
import { DeviceName } from './backend-options';
import { ErrorInfo } from './errors';
import { LoadOptions, patchOf } from './schemas';

/** One point of the grid: the settings that matter for speed here (llama-bench flags in brackets). */
export const TuneConfig = z.object({
  /** -t */
  threads: z.number().int().min(1).max(512),
  /** -ngl: a number of layers (999 = all) */
  gpuLayers: z.number().int().min(0).max(1000),
  /** -fa 0|1 */
  flashAttention: z.boolean(),
  /** -b / -ub */
  batch: z.number().int().min(1).max(65536),
  ubatch: z.number().int().min(1).max(65536),
  /** -ctk / -ctv (q8_0 needs flash attention) */
  cacheType: z.enum(['f16', 'q8_0']),
});
export type TuneConfig = z.infer<typeof TuneConfig>;

/** llama-bench's figures for one configuration; error when that configuration failed (the sweep goes on). */
export const TuneRow = z.object({
  config: TuneConfig,
  /** Prompt processing and generation, tokens/s (avg_ts of the pp and tg tests) and their stddev. */
  ppTps: z.number().nullable(),
  tgTps: z.number().nullable(),
  ppStd: z.number().nullable(),
  tgStd: z.number().nullable(),
  error: ErrorInfo.nullable(),
});
export type TuneRow = z.infer<typeof TuneRow>;

export const TuneMode = z.enum(['auto', 'exhaustive']);
export type TuneMode = z.infer<typeof TuneMode>;

export const TuneJob = z.object({
  id: z.string(),
  modelPath: z.string(),
  mode: TuneMode,
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** sweep: llama-bench runs; app-check: one real generation through the app's chat path; saving. */
  phase: z.enum(['sweep', 'app-check', 'saving', 'finished']),
  /** 0..1 over the whole job. */
  progress: z.number().min(0).max(1),
  /** Seconds left (from the time configurations have taken so far); null until known. */
  etaS: z.number().nullable(),
  /** Configurations measured so far, and how many the sweep will measure in all (auto: an upper bound). */
  done: z.number().int(),
  total: z.number().int(),
  /** How many configurations the exhaustive grid has (auto mode measures a fraction of it). */
  gridSize: z.number().int(),
  rows: z.array(TuneRow),
  /** The pick for chat: best generation, then prompt processing. */
  best: TuneConfig.nullable(),
  /** The app's own chat path with the best options: tok/s of one real generation beside llama-bench's. */
  appCheck: z.object({ appTgTps: z.number(), benchTgTps: z.number(), ratio: z.number() }).nullable(),
  /** Set once the best options were saved as the model's defaults. */
  saved: z.boolean(),
  error: ErrorInfo.nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type TuneJob = z.infer<typeof TuneJob>;

/**
 * A model's own default load options on this machine: saved by auto-tune, by "keep these settings" after the
 * out-of-memory ladder, or by the user. Valid only for the same file and the same hardware + runtime.
 */
export const ModelProfile = z.object({
  modelPath: z.string(),
  /** Size + a hash of the GGUF header: a replaced file no longer matches. */
  modelFingerprint: z.string(),
  /** GPUs (name, memory), CPU, RAM and the active runtime: a changed machine no longer matches. */
  hardwareFingerprint: z.string(),
  source: z.enum(['tuned', 'recovered', 'user']),
  /**
   * The options that differ from the global defaults (merged over settings.loadOptions at start). A patch: zod's
   * .partial() would still fill every defaulted field, and a profile of three fields would reset all the others.
   */
  options: patchOf(LoadOptions),
  savedAt: z.number(),
  /** The sweep that chose them (source 'tuned'). */
  tune: z.object({ best: TuneConfig, tgTps: z.number(), ppTps: z.number().nullable() }).nullable(),
});
export type ModelProfile = z.infer<typeof ModelProfile>;

export const ProfileAnswer = z.object({
  /** The saved profile when it still applies; null otherwise. */
  profile: ModelProfile.nullable(),
  /** A profile was saved but no longer applies: the file or the machine changed (re-tune offered). */
  stale: z.enum(['model-changed', 'hardware-changed']).nullable(),
});
export type ProfileAnswer = z.infer<typeof ProfileAnswer>;

/** How a model would be placed across the GPUs with the given options, before it is loaded. */
export const GpuSplitPlan = z.object({
  devices: z.array(
    z.object({
      name: DeviceName,
      description: z.string(),
      totalBytes: z.number(),
      freeBytes: z.number(),
      /** Excluded by the user (-dev) or too small to hold a layer. */
      used: z.boolean(),
      /** Layers and bytes (weights + KV) planned on it. */
      layers: z.number().int(),
      bytes: z.number(),
      /** Share of the offloaded layers, 0..1. */
      share: z.number(),
    }),
  ),
  /** Layers left on the CPU (0 = all offloaded). */
  cpuLayers: z.number().int(),
  blockCount: z.number().int(),
  splitMode: z.enum(['layer', 'row', 'none']),
  /** Index among used devices. */
  mainGpu: z.number().int(),
  /** -ts as passed to llama-server (null: one device or none). */
  tensorSplit: z.array(z.number()).nullable(),
  /** True when the plan needs `--fit off` (an explicit split, row mode, expert overrides). */
  fitOff: z.boolean(),
  /** The llama-server flags the plan adds. */
  args: z.array(z.string()),
});
export type GpuSplitPlan = z.infer<typeof GpuSplitPlan>;
