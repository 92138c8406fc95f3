/** vLLM-format checkpoints (Hugging Face snapshot folders): inspection, config facts and the memory plan. */
export { inspectVllmModel, readVllmConfig } from './inspect';
export { dtypeBytes, kvBytesPerToken, parseVllmConfig, type VllmConfigFacts } from './config';
export { vllmFit, VLLM_BLOCK_TOKENS, VLLM_OVERHEAD_PER_GPU, type VllmFitOptions } from './fit';
export { checkSnapshotFile, countHeaderParams } from './safetensors';
export { readVllmCatalog } from './catalog';
