/**
 * Expected size of a llama-quantize result, from the source's tensor list (pure). It follows the tool's own rules
 * where they move most bytes (src/llama-quant.cpp at the pin): 1-D tensors (norms, biases) keep their type; the
 * output matrix (or the token embeddings when they are tied to it) gets Q6_K (Q5_K for IQ1/IQ2/IQ3_XXS, Q8_0 for
 * Q8_0 or when its rows do not split into blocks); token embeddings get the default type (Q2_K/IQ3_S/Q4_K for the
 * lowest-bit types); other matrices get the type's bits per weight; a matrix whose row length is not a multiple of
 * the block size falls back (tensor_type_fallback) to a 32-block type, or F16 when that does not fit either.
 */
import type { QuantType } from '../../../shared/quant';
import type { GgufTensorInfo } from '../../models/gguf';
import { SINGLE_TYPE, typeSize } from './quant-types';

const T = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  IQ2_XS: 17,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  MXFP4: 39,
} as const;

/** The default ggml type of the mixes (llama_ftype_get_default_type), for fallbacks and token embeddings. */
const MIX_DEFAULT: Record<string, number> = {
  Q2_K: T.Q2_K,
  Q2_K_S: T.Q2_K,
  Q3_K_S: T.Q3_K,
  Q3_K_M: T.Q3_K,
  Q3_K_L: T.Q3_K,
  Q3_K: T.Q3_K,
  Q4_K_S: T.Q4_K,
  Q4_K_M: T.Q4_K,
  Q4_K: T.Q4_K,
  Q5_K_S: T.Q5_K,
  Q5_K_M: T.Q5_K,
  Q5_K: T.Q5_K,
  IQ2_S: T.IQ2_XS,
  IQ2_M: T.IQ2_S,
  IQ3_XS: T.IQ3_S,
  IQ3_M: T.IQ3_S,
  MXFP4_MOE: T.MXFP4,
};

/** tensor_type_fallback: a 256-block type on rows it does not divide. */
const FALLBACK: Record<number, number> = {
  19: T.IQ4_NL, // IQ1_S
  29: T.IQ4_NL, // IQ1_M
  16: T.IQ4_NL, // IQ2_XXS
  17: T.IQ4_NL, // IQ2_XS
  22: T.IQ4_NL, // IQ2_S
  18: T.IQ4_NL, // IQ3_XXS
  21: T.IQ4_NL, // IQ3_S
  23: T.IQ4_NL, // IQ4_XS
  42: T.Q4_0, // Q2_0
  10: T.Q4_0, // Q2_K
  11: T.Q4_0, // Q3_K
  34: T.Q4_0, // TQ1_0
  35: T.Q4_0, // TQ2_0
  12: T.Q5_0, // Q4_K
  13: T.Q5_1, // Q5_K
  14: T.Q8_0, // Q6_K
};

const LOWEST = new Set(['IQ2_XXS', 'IQ2_XS', 'IQ3_XXS', 'IQ1_S', 'IQ2_S', 'IQ2_M', 'IQ1_M']);

/** The type a row length of `n0` really gets when `target` is asked for (null: unknown type). */
export function withFallback(target: number, n0: number): number | null {
  const s = typeSize(target);
  if (!s) return null;
  if (n0 % s.block === 0) return target;
  const fb = FALLBACK[target] ?? target;
  const f = typeSize(fb);
  if (!f) return null;
  return n0 % f.block === 0 ? fb : T.F16;
}

function typedBytes(ggmlType: number, t: GgufTensorInfo, elements: number): number | null {
  const s = typeSize(ggmlType);
  if (!s) return null;
  const n0 = t.dims[0] ?? 1;
  return (elements / n0) * Math.ceil(n0 / s.block) * s.bytes;
}

const elementsOf = (t: GgufTensorInfo) => t.dims.reduce((a, b) => a * b, 1);
const isMatrix = (t: GgufTensorInfo) => t.dims.length >= 2 && t.dims.filter((d) => d > 1).length >= 2;

/**
 * Bytes of the result of quantizing a model with these tensors to `type`, plus `headerBytes` (the source's header:
 * metadata and tokenizer, which the tool copies). Null when the type's size is unknown (bitsPerWeight null) or a
 * source tensor has a type this app does not know.
 */
export function estimateQuantBytes(tensors: GgufTensorInfo[], type: QuantType, headerBytes = 0): number | null {
  if (type.bitsPerWeight === null) return null;
  const id = type.id;
  const single = SINGLE_TYPE[id];
  const def = single ?? MIX_DEFAULT[id];
  const quantized = def !== undefined && def !== T.F32 && def !== T.F16 && def !== 30;
  const tied = !tensors.some((t) => t.name === 'output.weight');
  let total = Math.max(0, headerBytes);
  for (const t of tensors) {
    const elements = elementsOf(t);
    if (!isMatrix(t) || !t.name.endsWith('weight')) {
      if (t.bytes === null) return null;
      total += t.bytes;
      continue;
    }
    const n0 = t.dims[0]!;
    let target: number;
    if (!quantized) {
      if (def === undefined) return null;
      target = def;
    } else if (t.name === 'output.weight' || (tied && t.name === 'token_embd.weight')) {
      const block = typeSize(def!)?.block ?? 256;
      if (id === 'MXFP4_MOE' || n0 % block !== 0) target = T.Q8_0;
      else if (LOWEST.has(id)) target = T.Q5_K;
      else target = def === T.Q8_0 ? T.Q8_0 : T.Q6_K;
    } else if (t.name === 'token_embd.weight') {
      if (['IQ2_XXS', 'IQ2_XS', 'IQ1_S', 'IQ1_M'].includes(id)) target = T.Q2_K;
      else if (['IQ2_S', 'IQ2_M', 'IQ3_XXS'].includes(id)) target = T.IQ3_S;
      else if (['TQ1_0', 'TQ2_0', 'Q2_0'].includes(id)) target = T.Q4_K;
      else target = def!;
    } else if (single !== undefined) {
      target = def!;
    } else {
      // A mix: its average bits per weight, unless the rows do not split into its blocks (then the fallback type).
      const real = withFallback(def!, n0);
      if (real === def) {
        total += Math.ceil((elements * type.bitsPerWeight) / 8);
        continue;
      }
      target = def!;
    }
    const real = withFallback(target, n0);
    if (real === null) return null;
    const b = typedBytes(real, t, elements);
    if (b === null) return null;
    total += b;
  }
  return Math.round(total);
}

/** F32/F16/BF16/Q8_0: a good source to quantize from without requantizing, and a KL-divergence reference. */
export function isHighPrecision(fileType: string | null): boolean {
  return fileType !== null && ['F32', 'F16', 'BF16', 'Q8_0'].includes(fileType.toUpperCase());
}
