import type { FitPlan } from '@shared/models';
import type { LoadOptions } from '@shared/schemas';

/**
 * Load options from the plan: its context and KV-cache type. Layers stay "auto" so llama.cpp's own --fit decides
 * against the memory actually free at load; for MoE models it keeps expert tensors in RAM itself (common/fit.cpp),
 * which is what an experts-on-CPU plan means — an explicit -ncmoe would switch --fit off.
 */
export function optionsFromPlan(plan: FitPlan | null): Partial<LoadOptions> {
  if (!plan) return {};
  const quantizedKv = plan.kvType !== 'f16';
  return {
    contextSize: plan.contextSize,
    gpuLayers: 'auto',
    cpuMoeLayers: 0,
    cacheTypeK: plan.kvType,
    cacheTypeV: plan.kvType,
    // A quantized V cache needs flash attention.
    ...(quantizedKv ? { flashAttention: 'on' as const } : {}),
  };
}
