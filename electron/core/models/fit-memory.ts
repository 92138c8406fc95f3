/**
 * Memory arithmetic of the fit planner, following llama.cpp at the pinned release (checked against its own figures
 * in fit-llama.int.test.ts):
 *  - KV cache: per layer and token, key_length·kv_heads·bytes(K) + value_length·kv_heads·bytes(V), on the device of
 *    its layer; deepseek2 with MLA stores only K (kv_lora_rank + rope dim, one "head"); n_ctx padded to 256;
 *  - compute buffer: the largest live set of one micro-batch (512 tokens): the output phase (logits of one row per
 *    slot) or a layer (the KQ mask, f16 with flash attention, f32 plus the n_head·n_ctx KQ matrix without, and the
 *    FFN intermediates); see computeBuffers.
 */
import type { ArchFacts, KvType } from '../../shared/models';

/** Bytes per element of a KV cache type (q8_0: 34 bytes per 32, q4_0: 18 per 32). */
export function kvTypeBytes(t: KvType): number {
  return t === 'f16' ? 2 : t === 'q8_0' ? 34 / 32 : 18 / 32;
}

/** Quantized KV types need head sizes that are whole blocks of 32 (llama.cpp refuses the context otherwise). */
export function kvTypeSupported(f: ArchFacts, t: KvType): boolean {
  if (t === 'f16') return true;
  return f.keyLength % 32 === 0 && (f.mla || f.valueLength % 32 === 0);
}

export const padContext = (ctx: number) => Math.ceil(ctx / 256) * 256;

/** KV bytes per token for one layer. */
export function kvBytesPerTokenLayer(f: ArchFacts, k: KvType, v: KvType): number {
  const kBytes = f.keyLength * f.headCountKv * kvTypeBytes(k);
  // MLA: V is a view of the compressed K, nothing is allocated for it.
  const vBytes = f.mla ? 0 : f.valueLength * f.headCountKv * kvTypeBytes(v);
  return kBytes + vBytes;
}

export interface ComputeBuffers {
  /** Output phase: logits of the output rows (one per slot in llama-server) and the last hidden states. */
  logits: number;
  /** The layer phase: attention inputs (the KQ mask) plus the larger of attention and FFN intermediates. */
  layer: number;
  /** Inputs kept on the host when everything else is on the GPU. */
  hostInputs: number;
}

/**
 * Compute buffer estimate, calibrated on llama.cpp's own reserve figures (fit-llama.int.test.ts): the mask lives
 * through every layer (f16 with flash attention, f32 without, plus the n_head·n_ctx KQ matrix), FFN intermediates
 * scale with the (active) FFN width, and the output phase holds `outputs` rows of logits — llama-server reserves one
 * per slot, llama-fit-params one per micro-batch token.
 */
export function computeBuffers(
  f: ArchFacts,
  ctx: number,
  flashAttention: boolean,
  ub = 512,
  outputs = 1,
): ComputeBuffers {
  const nKv = padContext(ctx);
  const F = 4;
  const e = f.embeddingLength;
  const hasDense = f.expertCount === 0 || f.leadingDenseBlockCount > 0;
  const dense = hasDense ? ub * F * (4 * f.feedForwardLength + e) : 0;
  const used = f.expertUsedCount;
  const moe =
    f.expertCount > 0 ? ub * F * (3 * f.expertFeedForwardLength * (used + f.expertSharedCount) + e * used) : 0;
  const ffn = Math.max(dense, moe);
  const layer = flashAttention ? ub * 2 * nKv + ffn : ub * F * nKv + Math.max(ub * F * nKv * f.headCount, ffn);
  return {
    logits: outputs * F * f.vocabSize + ub * F * e,
    layer,
    hostInputs: ub * F * e + ub * nKv * (flashAttention ? 2 : 4),
  };
}
