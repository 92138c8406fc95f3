/**
 * The quality check's fixed settings: context 512 (the field's standard for llama-perplexity numbers, so ours compare
 * with published ones) and a chunk count sized to finish in about two minutes.
 *
 * Cost: llama-perplexity only evaluates prompts (no generation): chunks × context tokens of prompt processing.
 * A 7B Q4_K_M on a mid-range GPU (RTX 3060/4060 class) processes ~1500–2500 tok/s at n_ctx 512 (llama-bench pp512).
 *   80 chunks × 512 tokens = 40 960 tokens → 16–27 s at that speed for one pass.
 * A quality check with KL-divergence is three passes the first time (the base model's logits, its own PPL comes out
 * of the same pass; then the quant against them): ~2 × 41k tokens on the quant-sized model plus one pass on the F16
 * base (≈ 2–3× slower: memory-bound, ~700 tok/s, often partly on the CPU) → ≈ 20 s + 60 s + tokenising and loading
 * (~10–20 s each) ≈ 2 minutes. On a CPU alone (~50–100 tok/s for a 7B Q4) it is ~7–14 minutes: the UI shows an ETA.
 * Fewer than ~50 chunks makes the ± of the PPL estimate too wide to tell Q4_K_M from Q5_K_M; 80 keeps it ≈ ±0.5 %.
 *
 * KL-divergence base file: llama-perplexity stores, per chunk, the log-probs of the last half of the context's
 * tokens (n_ctx/2 − 1 = 255 scored tokens) over the whole vocabulary as uint16 (plus 2 floats per token):
 *   per chunk ≈ 255 × (152 064 × 2 B + 8 B) ≈ 77.6 MB for a 152k vocabulary (Qwen2/3).
 *   80 chunks ≈ 6.2 GB. That is the largest we accept on disk per base model + text: MAX_CHUNKS_KLD_BYTES below caps
 *   the chunk count so that the file stays under KLD_BASE_MAX_BYTES (6.5 GB; the store keeps at most 2 such files).
 * A 32k vocabulary (Llama 2, Mistral) costs 16.7 MB a chunk (1.3 GB for 80).
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
