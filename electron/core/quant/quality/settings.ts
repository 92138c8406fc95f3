/**
 * The quality check's fixed settings: context 512 (the field's standard for llama-perplexity figures) and 64 chunks,
 * sized so a check of a 7B Q4 on a mid-range GPU takes about two minutes. Tests pass smaller overrides.
 *
 * Cost: llama-perplexity only processes prompts (no generation): chunks × 512 tokens, at about the model's pp512
 * speed. Mid-range GPU (RTX 3060 12 GB / 4060 class), 7B Q4_K_M: pp512 ≈ 2000 tok/s.
 *   64 chunks × 512 = 32 768 tokens → ≈ 16 s a pass on the Q4, + ≈ 10 s to load it.
 *   With KL-divergence (the default when a higher-precision sibling exists) the first check also runs the base
 *   once: an F16 7B (15 GB) does not fit 12 GB, so `-fit` puts ~70 % of it on the GPU and the rest runs on the CPU,
 *   ≈ 400 tok/s → 32 768 / 400 ≈ 80 s + ≈ 15 s load. First check ≈ 26 + 95 ≈ 2 min; every further quant of that
 *   model reuses the base logits (≈ 30 s each, as is a plain perplexity check). CPU only (≈ 60 tok/s for a 7B Q4):
 *   ≈ 9 min a pass; the job shows its ETA. 100+ chunks would double this for little gain, 32 would halve the tokens.
 * Precision: 64 × 255 = 16 320 scored tokens; with a per-token NLL spread of ~2.5 nats the PPL itself is ± ~2 %, but
 *   KL-divergence and PPL(Q)/PPL(base) are paired on the same tokens and resolve ~0.1 % — enough to rank Q4_K_M
 *   against Q5_K_M (≈ 1–3 % apart on 7B models).
 *
 * KL-divergence base file (perplexity.cpp): 20-byte header + the tokens (4 B × 512 × chunks) + for each of the
 * 255 scored tokens of a chunk (n_vocab rounded to even + 4) uint16 (log-probs, plus min/max as 2 floats):
 *   152 064 vocabulary (Qwen2/2.5): 255 × 304 136 B ≈ 77.6 MB a chunk → 64 chunks ≈ 4.96 GB.
 *   32 000 (Llama 2, Mistral 7B): ≈ 16.3 MB a chunk → ≈ 1.05 GB.   262 144 (Gemma 3): ≈ 134 MB a chunk.
 * KLD_BASE_MAX_BYTES (5 GB) caps one file: chunksForKldBase lowers the chunk count for bigger vocabularies (Gemma 3:
 * 37 chunks; the result records the chunks it used). The store keeps at most 12 GB of them (store.ts).
 */

export const QUALITY_CONTEXT = 512;
export const QUALITY_CHUNKS = 64;
/** The most a KL-divergence base file may take (one base model + text + settings). */
export const KLD_BASE_MAX_BYTES = 5e9;

export function qualitySettings(o: { contextSize?: number; chunks?: number } = {}): {
  contextSize: number;
  chunks: number;
} {
  const contextSize = positiveInt(o.contextSize) ?? QUALITY_CONTEXT;
  const chunks = positiveInt(o.chunks) ?? QUALITY_CHUNKS;
  return { contextSize, chunks };
}

/** Bytes of the KL-divergence base file llama-perplexity writes (its perplexity.cpp layout). */
export function kldBaseBytes(nVocab: number, contextSize: number, chunks: number): number {
  const scored = contextSize - 1 - Math.floor(contextSize / 2);
  // Header: magic "_logits_" (8) + n_ctx (4) + n_vocab (4) + n_chunk (4) + tokens (4 × n_ctx × n_chunk).
  const header = 20 + 4 * contextSize * chunks;
  // Per scored token: n_vocab rounded up to even + 4 uint16 (the min and max log-prob as 2 floats).
  const nv = 2 * Math.ceil(nVocab / 2) + 4;
  return header + chunks * scored * nv * 2;
}

/** The chunk count that keeps the base file under `maxBytes` (at least 1; never above `chunks`). */
export function chunksForKldBase(nVocab: number, contextSize: number, chunks: number, maxBytes = KLD_BASE_MAX_BYTES) {
  const perChunk = kldBaseBytes(nVocab, contextSize, 1) - 20;
  return Math.max(1, Math.min(chunks, Math.floor((maxBytes - 20) / perChunk)));
}

function positiveInt(v: number | undefined): number | null {
  return v !== undefined && Number.isInteger(v) && v > 0 ? v : null;
}
