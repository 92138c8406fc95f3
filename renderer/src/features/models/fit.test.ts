import { describe, expect, it } from 'vitest';
import type { FitPlan } from '@shared/models';
import { contextsOf, defaultContext, formatContext, pickPlan, quantLabel } from './fit';

const plan = (quant: string, contextSize: number, kvType: FitPlan['kvType'], mode: FitPlan['mode']): FitPlan => ({
  quant,
  contextSize,
  kvType,
  mode,
  gpuLayers: mode === 'gpu' ? 29 : 10,
  blockCount: 28,
  cpuMoeLayers: 0,
  gpu: [],
  host: { model: 0, context: 0, compute: 0 },
  fileBytes: 1,
  tokensPerSecond: null,
  speed: 'good',
  reason: { code: 'FIT_ALL_GPU', params: {} },
});

const plans = [
  plan('Q4_K_M', 4096, 'f16', 'gpu'),
  plan('Q4_K_M', 4096, 'q8_0', 'gpu'),
  plan('Q4_K_M', 32768, 'f16', 'partial'),
  plan('Q4_K_M', 32768, 'q8_0', 'gpu'),
  plan('Q8_0', 4096, 'f16', 'partial'),
  plan('Q8_0', 32768, 'q4_0', 'cpu'),
];

describe('pickPlan', () => {
  it.each([
    // At equal mode the f16 KV cache wins (quality); a quantized cache wins only when it fits better.
    ['Q4_K_M', 4096, 4096, 'f16', 'gpu'],
    ['Q4_K_M', 32768, 32768, 'q8_0', 'gpu'],
    // An unplanned context falls back to the nearest smaller one, or the smallest when none is smaller.
    ['Q4_K_M', 16384, 4096, 'f16', 'gpu'],
    ['Q4_K_M', 1024, 4096, 'f16', 'gpu'],
    ['Q8_0', 65536, 32768, 'q4_0', 'cpu'],
  ] as const)('%s at %i → %i %s %s', (quant, ctx, wantCtx, kv, mode) => {
    const p = pickPlan(plans, quant, ctx)!;
    expect([p.contextSize, p.kvType, p.mode]).toEqual([wantCtx, kv, mode]);
  });

  it('returns null for a quant the planner did not see', () => {
    expect(pickPlan(plans, 'IQ1_S', 4096)).toBeNull();
  });
});

describe('contexts', () => {
  it('lists planned contexts once, ascending', () => {
    expect(contextsOf(plans)).toEqual([4096, 32768]);
  });
  it('opens at the recommendation, else 8K, else the smallest', () => {
    expect(defaultContext({ modelId: 'm', plans, recommended: plans[3]! })).toBe(32768);
    expect(
      defaultContext({ modelId: 'm', plans: [...plans, plan('Q8_0', 8192, 'f16', 'cpu')], recommended: null }),
    ).toBe(8192);
    expect(defaultContext({ modelId: 'm', plans, recommended: null })).toBe(4096);
    expect(defaultContext({ modelId: 'm', plans: [], recommended: null })).toBeNull();
  });
  it.each([
    [4096, '4K'],
    [131072, '128K'],
    [163840, '160K'],
    [1048576, '1M'],
    [1000, '1000'],
  ])('formats %i as %s', (n, s) => expect(formatContext(n)).toBe(s));
});

describe('quantLabel', () => {
  it('uses the parsed quant, else the file name without shard suffix', () => {
    expect(quantLabel('Q4_K_M', 'x/y.gguf')).toBe('Q4_K_M');
    expect(quantLabel(null, 'UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf')).toBe('DeepSeek-R1-UD-IQ1_S');
  });
});
