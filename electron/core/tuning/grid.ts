/**
 * The exhaustive tuning grid for this machine and model. Pure. Four dimensions, each a short list in the order a
 * good first guess comes first (the auto search starts from the first value of each):
 *   GPU offload  all layers (or as many as the fit plan puts on the GPU) and 0 when a GPU is usable; 0 alone on a CPU
 *   threads      physical cores, all logical processors, half the physical cores (duplicates dropped)
 *   attention    flash attention on with an f16 KV cache, off with f16, on with q8_0 (q8_0 needs flash attention)
 *   batch        -b/-ub 2048/512 (llama.cpp's default), 512/512, 512/128
 * Batch sizes change prompt processing only (generation decodes one token at a time); they are in the grid for the
 * second criterion of the pick.
 */
import type { TuneConfig } from '../../shared/tuning';
import { ALL_LAYERS } from './bench-args';

export type Attention = Pick<TuneConfig, 'flashAttention' | 'cacheType'>;
export type Batching = Pick<TuneConfig, 'batch' | 'ubatch'>;

export interface GridSpace {
  gpuLayers: number[];
  threads: number[];
  attention: Attention[];
  batching: Batching[];
}

export type Dimension = keyof GridSpace;
/** The order the auto search walks the dimensions: the ones that move generation speed most first. */
export const DIMENSIONS: readonly Dimension[] = ['gpuLayers', 'threads', 'attention', 'batching'];

export interface GridInput {
  /** Physical cores and logical processors (the hardware probe's cpu.cores / cpu.threads). */
  cores: number;
  threads: number;
  /** The active runtime sees a GPU it can offload to. */
  gpu: boolean;
  /**
   * Layers the fit plan puts on the GPU(s) for this model, when it cannot place all of them; null or ≥ the model's
   * layers = all fit.
   */
  fitLayers?: number | null;
  blockCount?: number | null;
}

export const ATTENTION: readonly Attention[] = [
  { flashAttention: true, cacheType: 'f16' },
  { flashAttention: false, cacheType: 'f16' },
  { flashAttention: true, cacheType: 'q8_0' },
];
export const BATCHING: readonly Batching[] = [
  { batch: 2048, ubatch: 512 },
  { batch: 512, ubatch: 512 },
  { batch: 512, ubatch: 128 },
];

export function threadOptions(cores: number, logical: number): number[] {
  const physical = Math.max(1, Math.floor(cores) || 1);
  const all = Math.max(physical, Math.floor(logical) || physical);
  return [...new Set([physical, all, Math.max(1, Math.floor(physical / 2))])];
}

export function offloadOptions(i: Pick<GridInput, 'gpu' | 'fitLayers' | 'blockCount'>): number[] {
  if (!i.gpu) return [0];
  const partial =
    i.fitLayers !== null && i.fitLayers !== undefined && i.blockCount && i.fitLayers < i.blockCount
      ? Math.max(0, Math.floor(i.fitLayers))
      : null;
  // When not every layer fits, "all" would only fail: offer what fits instead (0 is measured anyway).
  const most = partial ?? ALL_LAYERS;
  return most > 0 ? [most, 0] : [0];
}

export function gridSpace(i: GridInput): GridSpace {
  return {
    gpuLayers: offloadOptions(i),
    threads: threadOptions(i.cores, i.threads),
    attention: [...ATTENTION],
    batching: [...BATCHING],
  };
}

export function gridSize(s: GridSpace): number {
  return s.gpuLayers.length * s.threads.length * s.attention.length * s.batching.length;
}

/** Every configuration, in a stable order (offload, threads, attention, batching). */
export function expandGrid(s: GridSpace): TuneConfig[] {
  const out: TuneConfig[] = [];
  for (const gpuLayers of s.gpuLayers)
    for (const threads of s.threads)
      for (const a of s.attention) for (const b of s.batching) out.push({ threads, gpuLayers, ...a, ...b });
  return out;
}

/** The configuration at one index per dimension. */
export interface GridPoint {
  gpuLayers: number;
  threads: number;
  attention: number;
  batching: number;
}

export function configAt(s: GridSpace, p: GridPoint): TuneConfig {
  return {
    gpuLayers: s.gpuLayers[p.gpuLayers]!,
    threads: s.threads[p.threads]!,
    ...s.attention[p.attention]!,
    ...s.batching[p.batching]!,
  };
}
