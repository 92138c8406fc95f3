/**
 * llama-bench's command line for one configuration of the tuning grid. Pure. One invocation per configuration, so
 * progress, cancel and a crash each concern one row. Flags as the pinned llama-bench (de3ff81,
 * tools/llama-bench/llama-bench.cpp) spells them: `-fa` takes on|off|auto or a truthy/falsey word (`1`/`0`),
 * `-ngl` a layer count (more than the model has = all), `-ctk/-ctv` a ggml type name, `-o json` an array of
 * test objects on stdout (one per -p and -n test).
 */
import type { TuneConfig } from '../../shared/tuning';

/** How much each configuration measures: prompt tokens (pp test), generated tokens (tg test), repetitions. */
export interface BenchSize {
  promptTokens: number;
  genTokens: number;
  repetitions: number;
}

/** Small enough that a sweep of a few dozen configurations takes minutes, large enough to rank them. */
export const DEFAULT_BENCH_SIZE: BenchSize = { promptTokens: 128, genTokens: 32, repetitions: 2 };

/** Layer count meaning "all of them" (TuneConfig.gpuLayers 999; llama-bench clamps to the model's layers). */
export const ALL_LAYERS = 999;

export function benchArgs(modelPath: string, c: TuneConfig, size: BenchSize = DEFAULT_BENCH_SIZE): string[] {
  const int = (n: number, what: string) => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
    return String(n);
  };
  if (c.cacheType === 'q8_0' && !c.flashAttention)
    // llama.cpp refuses a quantized V cache without flash attention; the grid never proposes it.
    throw new RangeError('a q8_0 KV cache needs flash attention');
  return [
    '-m',
    modelPath,
    '-o',
    'json',
    '-p',
    int(size.promptTokens, 'promptTokens'),
    '-n',
    int(size.genTokens, 'genTokens'),
    '-r',
    int(Math.max(1, size.repetitions), 'repetitions'),
    '-t',
    int(c.threads, 'threads'),
    '-ngl',
    int(c.gpuLayers, 'gpuLayers'),
    '-fa',
    c.flashAttention ? '1' : '0',
    '-b',
    int(c.batch, 'batch'),
    '-ub',
    int(Math.min(c.ubatch, c.batch), 'ubatch'),
    '-ctk',
    c.cacheType,
    '-ctv',
    c.cacheType,
  ];
}

/** A short label for logs and the CLI table: `t8 ngl999 fa1 b2048/512 q8_0`. */
export function configLabel(c: TuneConfig): string {
  const ngl = c.gpuLayers >= ALL_LAYERS ? 'all' : String(c.gpuLayers);
  return `t${c.threads} ngl=${ngl} fa=${c.flashAttention ? 'on' : 'off'} b=${c.batch}/${c.ubatch} kv=${c.cacheType}`;
}

/** Stable identity of a configuration (dedupe, lookups). */
export function configKey(c: TuneConfig): string {
  return `${c.threads}|${c.gpuLayers}|${c.flashAttention ? 1 : 0}|${c.batch}|${c.ubatch}|${c.cacheType}`;
}
