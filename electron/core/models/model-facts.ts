/**
 * What the fit planner needs about a model, from either source: a GGUF header (exact tensor sizes, local or fetched
 * through HTTP Range) or the catalog's architecture facts plus a file size (an estimate, before any byte is fetched).
 * Pure; tested in fit.test.ts.
 */
import type { ArchFacts } from '../../shared/models';
import type { GgufHeader, GgufValue } from './gguf';

export interface LayerWeights {
  /** Attention, norms, dense FFN, shared experts, router: what moves with the layer. */
  dense: number;
  /** MoE expert tensors (ffn_*_exps): what --n-cpu-moe keeps in RAM. */
  experts: number;
}

export interface ModelWeights {
  /** token_embd: llama.cpp keeps the input embedding in RAM whatever -ngl says. */
  embd: number;
  /** output + output_norm: on GPU only when every layer is (-ngl all). */
  output: number;
  /** Extra GPU copy of the embedding when the output is tied to it. */
  outputTiedExtra: number;
  layers: LayerWeights[];
  /** Size on disk (all shards). */
  fileBytes: number;
}

const num = (v: GgufValue | undefined): number | null => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && v !== null && v.values) {
    const nums = v.values.filter((x): x is number => typeof x === 'number');
    return nums.length ? Math.max(...nums) : null;
  }
  return null;
};

/** Architecture facts from GGUF metadata (first shard). Missing essentials fall back the way llama.cpp does. */
export function factsFromGguf(h: Pick<GgufHeader, 'metadata' | 'tensors'>, allTensorNames?: string[]): ArchFacts {
  const m = h.metadata;
  const arch =
    typeof m.get('general.architecture') === 'string' ? (m.get('general.architecture') as string) : 'unknown';
  const k = (key: string) => num(m.get(`${arch}.${key}`));
  const embd = k('embedding_length') ?? 0;
  const heads = k('attention.head_count') ?? 1;
  const headsKv = k('attention.head_count_kv') ?? heads;
  const headDim = heads > 0 ? Math.floor(embd / heads) : 0;
  const tokens = m.get('tokenizer.ggml.tokens');
  const vocab =
    k('vocab_size') ??
    (typeof tokens === 'object' && tokens !== null && 'length' in tokens ? tokens.length : null) ??
    32000;
  const kMla = k('attention.key_length_mla') ?? 0;
  const vMla = k('attention.value_length_mla') ?? 0;
  const names = allTensorNames ?? h.tensors.map((t) => t.name);
  return {
    architecture: arch,
    blockCount: Math.max(1, k('block_count') ?? 1),
    contextLength: Math.max(1, k('context_length') ?? 4096),
    embeddingLength: Math.max(1, embd),
    feedForwardLength: k('feed_forward_length') ?? 0,
    headCount: Math.max(1, heads),
    headCountKv: Math.max(1, headsKv),
    keyLength: Math.max(1, k('attention.key_length') ?? headDim),
    valueLength: k('attention.value_length') ?? headDim,
    vocabSize: Math.max(1, vocab),
    expertCount: k('expert_count') ?? 0,
    expertUsedCount: k('expert_used_count') ?? 0,
    expertFeedForwardLength: k('expert_feed_forward_length') ?? 0,
    expertSharedCount: k('expert_shared_count') ?? 0,
    leadingDenseBlockCount: k('leading_dense_block_count') ?? 0,
    mla: kMla > 0 && vMla > 0,
    kvLoraRank: k('attention.kv_lora_rank') ?? 0,
    qLoraRank: k('attention.q_lora_rank') ?? 0,
    ropeDim: k('rope.dimension_count') ?? 0,
    keyLengthMla: kMla,
    valueLengthMla: vMla,
    tiedEmbeddings: !names.includes('output.weight'),
  };
}

const LAYER = /^blk\.(\d+)\./;
const EXPERTS = /_exps\b/;

/** Exact weights per placement from tensor infos (of all shards). */
export function weightsFromTensors(
  tensors: { name: string; bytes: number | null }[],
  blockCount: number,
  fileBytes: number,
): ModelWeights {
  const layers: LayerWeights[] = Array.from({ length: blockCount }, () => ({ dense: 0, experts: 0 }));
  let embd = 0;
  let output = 0;
  let hasOutput = false;
  for (const t of tensors) {
    const b = t.bytes ?? 0;
    if (t.name === 'token_embd.weight') embd += b;
    else {
      const m = LAYER.exec(t.name);
      const i = m ? Number(m[1]) : -1;
      if (i >= 0 && i < blockCount) {
        if (EXPERTS.test(t.name)) layers[i]!.experts += b;
        else layers[i]!.dense += b;
      } else {
        // output, output_norm, rope factors, and extra (MTP) blocks llama.cpp does not load by default.
        if (i < 0) output += b;
        if (t.name === 'output.weight') hasOutput = true;
      }
    }
  }
  return { embd, output, outputTiedExtra: hasOutput ? 0 : embd, layers, fileBytes };
}

/** Parameters of each part, from the architecture alone. */
export function parameterBreakdown(f: ArchFacts): { embd: number; output: number; layers: LayerWeights[] } {
  const e = f.embeddingLength;
  let attn: number;
  if (f.architecture === 'deepseek2' || f.kvLoraRank > 0) {
    // Multi-head latent attention: low-rank q and kv projections.
    const kHead = f.keyLengthMla || f.keyLength;
    const vHead = f.valueLengthMla || f.valueLength;
    const rope = f.ropeDim;
    const q = f.qLoraRank > 0 ? e * f.qLoraRank + f.qLoraRank * f.headCount * kHead : e * f.headCount * kHead;
    attn =
      q +
      e * (f.kvLoraRank + rope) +
      (kHead - rope) * f.kvLoraRank * f.headCount +
      f.kvLoraRank * vHead * f.headCount +
      f.headCount * vHead * e;
  } else {
    attn =
      e * f.headCount * f.keyLength +
      e * f.headCountKv * (f.keyLength + f.valueLength) +
      f.headCount * f.valueLength * e;
  }
  const layers: LayerWeights[] = [];
  for (let i = 0; i < f.blockCount; i++) {
    const moe = f.expertCount > 0 && i >= f.leadingDenseBlockCount;
    if (!moe) layers.push({ dense: attn + 3 * e * f.feedForwardLength + 2 * e, experts: 0 });
    else {
      const ff = f.expertFeedForwardLength || f.feedForwardLength;
      layers.push({
        dense: attn + 3 * e * ff * f.expertSharedCount + e * f.expertCount + 2 * e,
        experts: 3 * e * ff * f.expertCount,
      });
    }
  }
  return { embd: f.vocabSize * e, output: f.tiedEmbeddings ? 0 : f.vocabSize * e, layers };
}

/** Estimated weights: the architecture's parameter shares scaled to the file size (catalog entries, before download). */
export function weightsFromFacts(f: ArchFacts, fileBytes: number): ModelWeights {
  const p = parameterBreakdown(f);
  const total = p.embd + p.output + p.layers.reduce((n, l) => n + l.dense + l.experts, 0);
  const k = total > 0 ? fileBytes / total : 0;
  return {
    embd: p.embd * k,
    output: p.output * k,
    outputTiedExtra: f.tiedEmbeddings ? p.embd * k : 0,
    layers: p.layers.map((l) => ({ dense: l.dense * k, experts: l.experts * k })),
    fileBytes,
  };
}

/** Total parameters and active per token (MoE: the used experts only). */
export function parameterCounts(f: ArchFacts): { total: number; active: number } {
  const p = parameterBreakdown(f);
  const dense = p.embd + p.output + p.layers.reduce((n, l) => n + l.dense, 0);
  const experts = p.layers.reduce((n, l) => n + l.experts, 0);
  const share = f.expertCount > 0 ? f.expertUsedCount / f.expertCount : 1;
  return { total: dense + experts, active: dense + experts * share };
}
