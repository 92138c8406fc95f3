/**
 * A Hugging Face checkpoint's config.json → the facts vLLM's memory plan needs (pure: parseVllmConfig; the read is in
 * inspect.ts). Everything here came from a folder someone else filled, so every number is checked before use.
 *
 * KV cache per token (vLLM's default kv-cache-dtype "auto" = the model's dtype):
 *   ordinary attention: layers × 2 (K and V) × num_key_value_heads × head_dim × bytes
 *   DeepSeek MLA (kv_lora_rank set, deepseek_v2/v3, R1): layers × (kv_lora_rank + qk_rope_head_dim) × bytes — vLLM's
 *   MLA backends cache the compressed latent and the rope part once per token, no separate V.
 */

export interface VllmConfigFacts {
  /** config.json model_type, e.g. "qwen2", "llama", "deepseek_v3". */
  modelType: string | null;
  architecture: string | null;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hiddenSize: number;
  /** Bytes of one KV cache element (the model's dtype: 2 for bf16/fp16, 4 for fp32). */
  kvDtypeBytes: number;
  /** max_position_embeddings; null when absent. */
  maxPositionEmbeddings: number | null;
  /** DeepSeek multi-head latent attention: the cache holds kv_lora_rank + qk_rope_head_dim per token and layer. */
  mla: { kvLoraRank: number; ropeDim: number } | null;
  /** torch_dtype (or dtype in newer transformers). */
  dtype: string | null;
  /** quantization_config.quant_method, lower case; null when unquantized. */
  quantMethod: string | null;
  /** quantization_config.bits (AWQ/GPTQ: 4 or 8); null when absent. */
  quantBits: number | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function posInt(o: Obj, key: string, max = 1 << 24): number | null {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= max ? v : null;
}

function str(o: Obj, key: string, max = 200): string | null {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : null;
}

/** Bytes per element of a torch dtype name ("bfloat16", "torch.float16", "float32", …); 2 when unknown. */
export function dtypeBytes(dtype: string | null): number {
  const d = (dtype ?? '').replace(/^torch\./, '').toLowerCase();
  if (d === 'float32' || d === 'float' || d === 'fp32') return 4;
  if (d === 'float8_e4m3fn' || d === 'float8' || d === 'fp8') return 1;
  return 2;
}

/** Throws an Error whose message says what is wrong (the caller wraps it in VLLM_BAD_MODEL). */
export function parseVllmConfig(json: unknown): VllmConfigFacts {
  if (!isObj(json)) throw new Error('config.json is not a JSON object');
  // Multimodal checkpoints keep the language model's numbers under text_config.
  const text = isObj(json.text_config) ? { ...json, ...json.text_config } : json;
  const archs = json.architectures;
  const architecture = Array.isArray(archs) && typeof archs[0] === 'string' && archs[0].length <= 200 ? archs[0] : null;
  const layers = posInt(text, 'num_hidden_layers', 4096);
  const heads = posInt(text, 'num_attention_heads', 4096);
  const hiddenSize = posInt(text, 'hidden_size');
  if (!layers) throw new Error('config.json has no usable num_hidden_layers');
  if (!heads) throw new Error('config.json has no usable num_attention_heads');
  if (!hiddenSize) throw new Error('config.json has no usable hidden_size');
  const kvHeads = posInt(text, 'num_key_value_heads', 4096) ?? heads;
  if (kvHeads > heads) throw new Error(`num_key_value_heads ${kvHeads} exceeds num_attention_heads ${heads}`);
  const headDim = posInt(text, 'head_dim', 65536) ?? Math.floor(hiddenSize / heads);
  if (headDim < 1) throw new Error(`hidden_size ${hiddenSize} is smaller than num_attention_heads ${heads}`);
  const dtype = str(text, 'torch_dtype', 40) ?? str(text, 'dtype', 40);
  const q = isObj(json.quantization_config) ? json.quantization_config : null;
  const quantMethod = q ? (str(q, 'quant_method', 60)?.toLowerCase() ?? null) : null;
  const quantBits = q ? posInt(q, 'bits', 64) : null;
  const kvLoraRank = posInt(text, 'kv_lora_rank', 65536);
  const ropeDim = posInt(text, 'qk_rope_head_dim', 65536);
  return {
    modelType: str(text, 'model_type', 100),
    architecture,
    layers,
    heads,
    kvHeads,
    headDim,
    hiddenSize,
    // kv-cache-dtype "auto" follows the model dtype; an fp8 checkpoint still computes (and caches) in bf16/fp16.
    kvDtypeBytes: Math.max(2, dtypeBytes(dtype)),
    maxPositionEmbeddings: posInt(text, 'max_position_embeddings', 1 << 26),
    mla: kvLoraRank && ropeDim ? { kvLoraRank, ropeDim } : null,
    dtype,
    quantMethod,
    quantBits,
  };
}

/** Bytes of KV cache one token of context takes over all layers. */
export function kvBytesPerToken(f: VllmConfigFacts): number {
  if (f.mla) return f.layers * (f.mla.kvLoraRank + f.mla.ropeDim) * f.kvDtypeBytes;
  return f.layers * 2 * f.kvHeads * f.headDim * f.kvDtypeBytes;
}
