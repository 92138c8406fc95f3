/**
 * Picking which of the planner's plans to show. The core plans every quant × context × KV-cache type; a row in the
 * UI shows one plan per quant at the context the user looks at. Pure functions, tested in fit.test.ts.
 */
import type { FitMode, FitPlan, KvType, ModelFit } from '@shared/models';

/** Better modes first: a quant that fits on the GPU beats one that spills to RAM. */
export const MODE_RANK: Record<FitMode, number> = { gpu: 0, 'experts-cpu': 1, partial: 2, cpu: 3, none: 4 };
/** At equal fit, the unquantized KV cache keeps the most quality. */
const KV_RANK: Record<KvType, number> = { f16: 0, q8_0: 1, q4_0: 2 };

export const better = (a: FitPlan, b: FitPlan) =>
  MODE_RANK[a.mode] - MODE_RANK[b.mode] || KV_RANK[a.kvType] - KV_RANK[b.kvType];

/** The contexts the planner evaluated, ascending. */
export function contextsOf(plans: readonly FitPlan[]): number[] {
  return [...new Set(plans.map((p) => p.contextSize))].sort((a, b) => a - b);
}

/**
 * The plan to show for a quant at a context: the best mode among KV types there. When the planner did not evaluate
 * that context for this quant, the nearest smaller one (else the smallest) stands in.
 */
export function pickPlan(plans: readonly FitPlan[], quant: string, context: number): FitPlan | null {
  const own = plans.filter((p) => p.quant === quant);
  if (own.length === 0) return null;
  const ctxs = contextsOf(own);
  const ctx = ctxs.includes(context) ? context : ([...ctxs].reverse().find((c) => c <= context) ?? ctxs[0]);
  return own.filter((p) => p.contextSize === ctx).sort(better)[0] ?? null;
}

/** The context a model card opens at: the recommendation's, else 8K when planned, else the smallest planned. */
export function defaultContext(fit: ModelFit | undefined): number | null {
  if (!fit || fit.plans.length === 0) return null;
  if (fit.recommended) return fit.recommended.contextSize;
  const ctxs = contextsOf(fit.plans);
  return ctxs.includes(8192) ? 8192 : ctxs[0]!;
}

/** 4096 → "4K", 131072 → "128K", 163840 → "160K", 1000 → "1000". */
export function formatContext(n: number): string {
  if (n >= 1024 && n % 1024 === 0) {
    const k = n / 1024;
    return k >= 1024 && k % 1024 === 0 ? `${k / 1024}M` : `${k}K`;
  }
  return String(n);
}

/** Layers on the GPU as the UI counts them (the output layer is not a block). */
export function gpuBlocks(plan: FitPlan): number {
  return Math.max(0, Math.min(plan.gpuLayers, plan.blockCount));
}

/** The file-name part users recognise a model by, with the folder and `-00001-of-00003` removed. */
export function quantLabel(quant: string | null, path: string): string {
  if (quant) return quant;
  const name = path.split(/[\\/]/).pop() ?? path;
  return name.replace(/-\d{5}-of-\d{5}(?=\.gguf$)/i, '').replace(/\.gguf$/i, '');
}
