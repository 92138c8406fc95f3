/**
 * The fit planner with a draft model (speculative decoding): llama-server loads the draft beside the model, with its
 * own KV cache at the same context (common_base_params_to_speculative copies n_ctx; draft KV stays f16) and its own
 * compute buffer. The draft is placed first — on the GPU with the most room when it fits there whole (llama.cpp
 * offloads a draft fully by default), else in RAM — and the model is planned on what is left; whichever placement
 * gives the model the faster plan wins (a draft that pushes the model's layers off the GPU costs more than it saves).
 * Pure; table-tested in fit-draft.test.ts.
 */
import type { ArchFacts, CatalogModel, FitPlan, HardwareInput, KvType } from '../../shared/models';
import { quantInput } from './catalog';
import { DEFAULT_PLAN_SETTINGS, MiB, planFit, type PlanSettings, type QuantInput } from './fit';
import { computeBuffers, kvBytesPerTokenLayer, padContext } from './fit-memory';
import type { ModelWeights } from './model-facts';

export interface DraftInput {
  facts: ArchFacts;
  weights: ModelWeights;
}

export interface DraftPlacement {
  /** Weights + KV cache + compute buffer of the draft. */
  bytes: number;
  on: 'gpu' | 'cpu';
  /** Index into hw.gpus when on the GPU. */
  gpu: number | null;
}

/** A catalog draft as the planner sees it: its Q4_K_M, else the quant nearest 4.8 bits per weight. */
export function draftInput(m: CatalogModel): DraftInput {
  const q =
    m.quants.find((x) => x.id === 'Q4_K_M') ??
    [...m.quants].sort((a, b) => Math.abs(a.bitsPerWeight - 4.8) - Math.abs(b.bitsPerWeight - 4.8))[0]!;
  return { facts: m.arch, weights: quantInput(m, q).weights };
}

/** What the draft occupies at the model's context. */
export function draftBytes(d: DraftInput, ctx: number, s: PlanSettings = DEFAULT_PLAN_SETTINGS): number {
  const w = d.weights;
  const weights = w.embd + w.output + w.outputTiedExtra + w.layers.reduce((n, l) => n + l.dense + l.experts, 0);
  const kv = padContext(ctx) * kvBytesPerTokenLayer(d.facts, 'f16', 'f16') * d.facts.blockCount;
  const c = computeBuffers(d.facts, ctx, s.flashAttention, s.ubatch, s.outputs);
  return weights + kv + Math.max(c.logits, c.layer);
}

/** The machine as the model sees it once `bytes` are taken from GPU `gpu` (or from RAM when gpu is null). */
export function withoutDraft(hw: HardwareInput, bytes: number, gpu: number | null): HardwareInput {
  if (gpu === null || hw.unifiedMemory)
    return {
      ...hw,
      ramAvailableBytes: Math.max(0, hw.ramAvailableBytes - bytes),
      gpus: hw.unifiedMemory ? hw.gpus.map((g) => ({ ...g, freeBytes: Math.max(0, g.freeBytes - bytes) })) : hw.gpus,
    };
  return {
    ...hw,
    gpus: hw.gpus.map((g, i) => (i === gpu ? { ...g, freeBytes: Math.max(0, g.freeBytes - bytes) } : g)),
  };
}

const rank = (p: FitPlan) => (p.mode === 'none' ? -1 : (p.tokensPerSecond ?? 0));

/** planFit for the model with the draft's memory counted; `draft` says where the draft went. */
export function planFitWithDraft(
  facts: ArchFacts,
  q: QuantInput,
  hw: HardwareInput,
  ctx: number,
  kv: KvType,
  draft: DraftInput,
  s: PlanSettings = DEFAULT_PLAN_SETTINGS,
): { plan: FitPlan; draft: DraftPlacement } {
  const bytes = draftBytes(draft, ctx, s);
  const onCpu = {
    plan: planFit(facts, q, withoutDraft(hw, bytes, null), ctx, kv, s),
    draft: { bytes, on: 'cpu' as const, gpu: null },
  };
  // The GPU with the most free memory, if the whole draft fits there beside the margin.
  const best = hw.gpus.map((g, i) => ({ i, room: g.freeBytes - s.vramMarginBytes })).sort((a, b) => b.room - a.room)[0];
  if (!best || best.room - bytes < 256 * MiB) return onCpu;
  const onGpu = {
    plan: planFit(facts, q, withoutDraft(hw, bytes, best.i), ctx, kv, s),
    draft: { bytes, on: 'gpu' as const, gpu: best.i },
  };
  return rank(onGpu.plan) >= rank(onCpu.plan) ? onGpu : onCpu;
}
