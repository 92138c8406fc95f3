import { describe, expect, it } from 'vitest';
import type { FitPlan } from '@shared/models';
import { LoadOptions } from '@shared/schemas';
import { optionsFromPlan } from './plan-options';

const plan = (over: Partial<FitPlan>): FitPlan => ({
  quant: 'Q4_K_M',
  contextSize: 16384,
  kvType: 'f16',
  mode: 'gpu',
  gpuLayers: 29,
  blockCount: 28,
  cpuMoeLayers: 0,
  gpu: [{ model: 1, context: 1, compute: 1 }],
  host: { model: 0, context: 0, compute: 0 },
  fileBytes: 1,
  tokensPerSecond: 50,
  speed: 'fast',
  reason: { code: 'FIT_ALL_GPU', params: {} },
  ...over,
});

describe('optionsFromPlan', () => {
  it.each([
    ['no plan: the defaults', null, {}],
    [
      'all on GPU: context and KV type, llama.cpp fits the layers',
      plan({}),
      { contextSize: 16384, gpuLayers: 'auto', cpuMoeLayers: 0, cacheTypeK: 'f16', cacheTypeV: 'f16' },
    ],
    [
      'experts on CPU (DeepSeek-R1 671B): llama.cpp --fit places the experts in RAM itself',
      plan({ mode: 'experts-cpu', cpuMoeLayers: 52, blockCount: 61, gpuLayers: 62, kvType: 'q8_0' }),
      {
        contextSize: 16384,
        gpuLayers: 'auto',
        cpuMoeLayers: 0,
        cacheTypeK: 'q8_0',
        cacheTypeV: 'q8_0',
        flashAttention: 'on',
      },
    ],
    [
      'partial offload: no expert placement',
      plan({ mode: 'partial', cpuMoeLayers: 7, gpuLayers: 10 }),
      { contextSize: 16384, gpuLayers: 'auto', cpuMoeLayers: 0, cacheTypeK: 'f16', cacheTypeV: 'f16' },
    ],
  ] as const)('%s', (_name, p, want) => {
    const got = optionsFromPlan(p as FitPlan | null);
    expect(got).toEqual(want);
    // What the wizard sends is valid load options once defaults are filled in.
    expect(LoadOptions.safeParse(got).success).toBe(true);
  });
});
