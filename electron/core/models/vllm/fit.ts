/**
 * Pure: vLLM's memory plan. vLLM loads the weights (split evenly across tensor-parallel GPUs), reserves activations
 * and CUDA graphs, and gives the rest of gpu_memory_utilization × each GPU's memory to the KV cache; it refuses to
 * start when one sequence of max-model-len tokens does not fit in that cache. With tensor parallelism every GPU
 * holds the same share, so the smallest GPU sets the budget: budget = GPUs × min(memory) × utilization (equal to
 * Σ memory × utilization for equal GPUs).
 */
import type { VllmFit, VllmModel } from '../../../shared/backends';
import { kvBytesPerToken, type VllmConfigFacts } from './config';

/** Activations at the default batch, CUDA graphs and the non-torch CUDA context: a fixed reserve per GPU. */
export const VLLM_OVERHEAD_PER_GPU = 1536 * 1024 * 1024;
/** vLLM's KV cache block size (tokens): lengths are planned in whole blocks. */
export const VLLM_BLOCK_TOKENS = 16;

export interface VllmFitOptions {
  /** Total memory of each GPU used (tensor parallel across all of them). */
  gpuBytes: number[];
  /** gpu_memory_utilization, 0 < x ≤ 1. */
  utilization: number;
  maxModelLen: number;
}

export function vllmFit(
  f: VllmConfigFacts,
  m: Pick<VllmModel, 'sizeBytes' | 'contextLength'>,
  o: VllmFitOptions,
): VllmFit {
  const gpus = o.gpuBytes.filter((b) => Number.isFinite(b) && b > 0);
  const n = gpus.length;
  const util = Math.min(1, Math.max(0, o.utilization));
  const budgetBytes = n ? n * Math.min(...gpus) * util : 0;
  const weightsBytes = m.sizeBytes;
  const perToken = kvBytesPerToken(f);
  const overheadBytes = n * VLLM_OVERHEAD_PER_GPU;
  const maxModelLen = Math.max(1, Math.floor(o.maxModelLen));
  const kvBytes = perToken * maxModelLen;
  const room = budgetBytes - weightsBytes - overheadBytes;
  const cap = m.contextLength ?? Number.MAX_SAFE_INTEGER;
  const rawFitting = room > 0 && perToken > 0 ? Math.floor(room / perToken) : 0;
  const maxFittingLen = Math.min(cap, Math.floor(rawFitting / VLLM_BLOCK_TOKENS) * VLLM_BLOCK_TOKENS);
  return {
    weightsBytes,
    kvBytesPerToken: perToken,
    kvBytes,
    overheadBytes,
    budgetBytes,
    maxModelLen,
    maxFittingLen: Math.max(0, maxFittingLen),
    fits: n > 0 && weightsBytes + kvBytes + overheadBytes <= budgetBytes,
  };
}
