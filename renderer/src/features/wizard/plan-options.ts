import type { FitPlan } from '../../../../electron/shared/models';
import type { LoadOptions } from '../../../../electron/shared/schemas';

/** Load options from the plan: its context and KV-cache type; layers stay "auto" so llama.cpp's own fit decides. */
export function optionsFromPlan(plan: FitPlan | null): Partial<LoadOptions> {
  if (!plan) return {};
  const quantizedKv = plan.kvType !== 'f16';
  return {
    contextSize: plan.contextSize,
    gpuLayers: 'auto',
    // The planned expert placement for big MoE models (DeepSeek-R1 / V3): those experts stay in RAM.
    cpuMoeLayers: plan.mode === 'experts-cpu' ? plan.cpuMoeLayers : 0,
    cacheTypeK: plan.kvType,
    cacheTypeV: plan.kvType,
    // A quantized V cache needs flash attention.
    ...(quantizedKv ? { flashAttention: 'on' as const } : {}),
  };
}
