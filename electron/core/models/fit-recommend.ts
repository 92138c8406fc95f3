/**
 * Choosing among fit plans: every plan of a model (quant × context × KV type) and the recommended one, and the
 * wizard's model across the catalog. The plans themselves come from planFit (fit.ts).
 */
import type { FitPlan, HardwareInput, KvType, ModelFit, SpeedClass } from '../../shared/models';
import { DEFAULT_PLAN_SETTINGS, planFit, type ModelInput, type PlanSettings, type QuantInput } from './fit';
import { planFitWithDraft, type DraftInput } from './fit-draft';
import { kvTypeSupported } from './fit-memory';

const SPEED_RANK: Record<SpeedClass, number> = { fast: 0, good: 1, slow: 2, 'very-slow': 3, none: 9 };
const KV_RANK: Record<KvType, number> = { f16: 0, q8_0: 1, q4_0: 2 };
/** A split across GPU and CPU is the less predictable setup: at equal speed class and quality, all-on-GPU wins. */
const MODE_RANK: Record<FitPlan['mode'], number> = { gpu: 0, 'experts-cpu': 0, partial: 1, cpu: 2, none: 3 };

/**
 * Bits worth paying for, by speed: when everything is fast, quality up to Q6_K (6.5; beyond, the gain is not measurable);
 * at a merely good speed up to ~Q5_K; when slow, ~Q4_K_M — every further bit only costs tokens per second.
 */
const QUALITY_CAP: Record<SpeedClass, number> = { fast: 6.5, good: 5.5, slow: 4.8, 'very-slow': 4.8, none: 0 };
const quality = (q: QuantInput, speed: SpeedClass) => Math.min(q.bitsPerWeight, QUALITY_CAP[speed]);
const qualityOk = (q: QuantInput) => q.dynamic || q.bitsPerWeight >= 4.4;

/**
 * The best plan of a model: a usable quant (≥ 4.4 bits per weight by file size, i.e. Q4_K_S and up, or a dynamic
 * low-bit quant of a huge MoE), then speed class, then a context of at least 16k (R1 thinks at length), then quality
 * (capped by speed, see QUALITY_CAP), then all-on-GPU over a split, then a larger context (up to 32k), then the plainer
 * KV cache, then the smaller file.
 */
export function pickRecommended(plans: FitPlan[], quants: QuantInput[]): FitPlan | null {
  const byQuant = new Map(quants.map((q) => [q.quant, q]));
  const ok = plans.filter((p) => p.mode !== 'none');
  if (!ok.length) return null;
  const key = (p: FitPlan): number[] => {
    const q = byQuant.get(p.quant)!;
    return [
      qualityOk(q) ? 0 : 1,
      SPEED_RANK[p.speed],
      p.contextSize >= 16384 ? 0 : 1,
      -quality(q, p.speed),
      MODE_RANK[p.mode],
      -Math.min(p.contextSize, 32768),
      KV_RANK[p.kvType],
      p.fileBytes,
    ];
  };
  return ok
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
      return 0;
    })[0]!.p;
}

/** Every plan of a model; with `draft` (speculative decoding), the draft's memory is counted (fit-draft.ts). */
export function planModel(
  m: ModelInput,
  hw: HardwareInput,
  s: PlanSettings = DEFAULT_PLAN_SETTINGS,
  draft?: DraftInput,
): ModelFit {
  const contexts = s.contexts.filter((c) => c <= m.facts.contextLength);
  if (!contexts.length) contexts.push(Math.min(m.facts.contextLength, s.contexts[0] ?? 4096));
  const kvTypes = s.kvTypes.filter((t) => kvTypeSupported(m.facts, t));
  const plans: FitPlan[] = [];
  for (const q of m.quants)
    for (const ctx of contexts)
      for (const kv of kvTypes)
        plans.push(
          draft ? planFitWithDraft(m.facts, q, hw, ctx, kv, draft, s).plan : planFit(m.facts, q, hw, ctx, kv, s),
        );
  return { modelId: m.id, plans, recommended: pickRecommended(plans, m.quants) };
}

/**
 * The wizard's suggestion: the most capable model (catalog rank) whose best plan runs at a good speed with a usable
 * quant; failing that, the most capable that runs at all slowly; else null.
 */
export function recommendAcross(
  models: { fit: ModelFit; rank: number; quants: QuantInput[] }[],
): { modelId: string; plan: FitPlan } | null {
  const usable = (speeds: SpeedClass[]) =>
    models
      .filter(
        (m) =>
          m.fit.recommended &&
          speeds.includes(m.fit.recommended.speed) &&
          qualityOk(m.quants.find((q) => q.quant === m.fit.recommended!.quant)!),
      )
      .sort(
        (a, b) => b.rank - a.rank || SPEED_RANK[a.fit.recommended!.speed] - SPEED_RANK[b.fit.recommended!.speed],
      )[0];
  const best = usable(['fast', 'good']) ?? usable(['slow']);
  return best ? { modelId: best.fit.modelId, plan: best.fit.recommended! } : null;
}
