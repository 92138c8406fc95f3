/**
 * The comparison's one recommendation (issue 14 §3), as data: the UI words it ("Q4_K_M: 2.9 % higher perplexity
 * than Q8_0, 1.7 × faster, fits fully on your GPU"). Pure; compare.test.ts tables it.
 *
 * The rule, first that applies:
 * 1. best-quality-fits-gpu: among rows that fit fully on the GPU and whose quality vs the reference was measured and
 *    is acceptable (PPL ratio ≤ 1.10, or mean KLD ≤ 0.10 when only that is known; the reference itself always),
 *    keep those within a sensible speed — at least 0.6 × the fastest of them (a version more than ~1.7 × slower
 *    than the fastest acceptable one costs more than its quality gives in a chat) — and take the best quality:
 *    lowest mean KLD when both have one, else lowest PPL ratio; ties go to the faster.
 * 2. fits-gpu: rows that fit fully on the GPU, quality unmeasured: the most bits per weight within the same
 *    sensible speed, among those with at least 4.5 bits per weight (Q4_0, Q4_K_S and up: below that the tool's own
 *    notes show perplexity rising steeply) when any.
 * 3. fits-partial: rows that fit partly (some layers or MoE experts in RAM): the fastest — among those within 0.9 ×
 *    of the fastest, the most bits per weight (a few % of speed is not worth a lower type) — with the same quality
 *    guard: measured and acceptable, or unmeasured with ≥ 4.5 bits per weight, when any is.
 * 4. only-fitting: rows that run on the CPU only: the same as 3.
 * 5. unmeasured: no row's fit is known (no header could be planned): the best measured quality, if any.
 * Otherwise (nothing fits) null.
 * Speeds are compared as measured tok/s when every row compared has a measurement, else as the planner's estimates
 * (never one kind against the other). pplDeltaPct = (PPL ratio − 1) × 100; speedup = tg(row) / tg(reference).
 */
import type { QuantRecommendation, QuantRow } from '../../shared/quant';

export const MAX_PPL_RATIO = 1.1;
export const MAX_KLD = 0.1;
export const SENSIBLE_SPEED = 0.6;
export const MIN_BPW_UNMEASURED = 4.5;
export const NEAR_FASTEST = 0.9;

export interface Candidate {
  row: QuantRow;
  isReference: boolean;
  /** Its quality vs the reference is known (for the reference: anything was measured against it). */
  measured: boolean;
  measuredTps: number | null;
  estimateTps: number | null;
}

type Basis = 'measured' | 'estimate';

const basisOf = (cs: Candidate[]): Basis => (cs.every((c) => c.measuredTps !== null) ? 'measured' : 'estimate');
const speedOf = (c: Candidate, b: Basis) => (b === 'measured' ? c.measuredTps : c.estimateTps);

function loss(c: Candidate): { kld: number | null; ratio: number | null } {
  return c.isReference ? { kld: 0, ratio: 1 } : { kld: c.row.meanKld, ratio: c.row.pplRatio };
}

function acceptable(c: Candidate): boolean {
  if (c.isReference) return true;
  const l = loss(c);
  if (l.ratio !== null) return l.ratio <= MAX_PPL_RATIO;
  return l.kld !== null && l.kld <= MAX_KLD;
}

/** Measured and acceptable, or unmeasured with enough bits per weight (or bits unknown). */
const qualityOk = (c: Candidate) =>
  c.measured ? acceptable(c) : c.row.bitsPerWeight === null || c.row.bitsPerWeight >= MIN_BPW_UNMEASURED;

const guarded = (cs: Candidate[]) => {
  const ok = cs.filter(qualityOk);
  return ok.length ? ok : cs;
};

/** Those within `share` of the fastest (an unknown speed is not held against a row). */
function sensible(cs: Candidate[], share = SENSIBLE_SPEED): Candidate[] {
  const b = basisOf(cs);
  const known = cs.map((c) => speedOf(c, b)).filter((s): s is number => s !== null);
  if (!known.length) return cs;
  const fastest = Math.max(...known);
  return cs.filter((c) => {
    const s = speedOf(c, b);
    return s === null || s >= share * fastest;
  });
}

function byLoss(a: Candidate, b: Candidate): number {
  const la = loss(a);
  const lb = loss(b);
  if (la.kld !== null && lb.kld !== null && la.kld !== lb.kld) return la.kld - lb.kld;
  if (la.ratio !== null && lb.ratio !== null && la.ratio !== lb.ratio) return la.ratio - lb.ratio;
  return 0;
}

const fasterFirst = (b: Basis) => (x: Candidate, y: Candidate) => (speedOf(y, b) ?? -1) - (speedOf(x, b) ?? -1);
const bpwDesc = (x: Candidate, y: Candidate) => (y.row.bitsPerWeight ?? -1) - (x.row.bitsPerWeight ?? -1);
const installedFirst = (x: Candidate, y: Candidate) =>
  Number(y.row.availability === 'installed') - Number(x.row.availability === 'installed');

/** The fastest, or among those within NEAR_FASTEST of it the most bits per weight. */
function fastest(cs: Candidate[]): Candidate {
  const near = sensible(cs, NEAR_FASTEST);
  const b = basisOf(near);
  return [...near].sort((x, y) => bpwDesc(x, y) || fasterFirst(b)(x, y) || installedFirst(x, y))[0]!;
}

function choose(cs: Candidate[]): { c: Candidate; why: QuantRecommendation['why'] } | null {
  const gpu = cs.filter((c) => c.row.fit === 'gpu');
  const pool = gpu.filter((c) => c.measured && acceptable(c));
  if (pool.length) {
    const s = sensible(pool);
    const b = basisOf(s);
    return { c: [...s].sort((x, y) => byLoss(x, y) || fasterFirst(b)(x, y))[0]!, why: 'best-quality-fits-gpu' };
  }
  if (gpu.length) {
    const s = sensible(guarded(gpu));
    const b = basisOf(s);
    const c = [...s].sort((x, y) => bpwDesc(x, y) || installedFirst(x, y) || fasterFirst(b)(x, y))[0]!;
    return { c, why: 'fits-gpu' };
  }
  const partial = cs.filter((c) => c.row.fit === 'partial' || c.row.fit === 'experts-cpu');
  if (partial.length) return { c: fastest(guarded(partial)), why: 'fits-partial' };
  const cpu = cs.filter((c) => c.row.fit === 'cpu');
  if (cpu.length) return { c: fastest(guarded(cpu)), why: 'only-fitting' };
  if (cs.every((c) => c.row.fit === null)) {
    const measured = cs.filter((c) => c.measured);
    if (measured.length) return { c: [...measured].sort(byLoss)[0]!, why: 'unmeasured' };
  }
  return null;
}

/** tg(row) / tg(reference): measured against measured, else estimate against estimate. */
export function speedupOf(c: Candidate, ref: Candidate): number | null {
  if (c === ref) return 1;
  if (c.measuredTps !== null && ref.measuredTps !== null && ref.measuredTps > 0) return c.measuredTps / ref.measuredTps;
  if (c.estimateTps !== null && ref.estimateTps !== null && ref.estimateTps > 0) return c.estimateTps / ref.estimateTps;
  return null;
}

export function recommend(cs: Candidate[]): QuantRecommendation | null {
  const pick = choose(cs);
  if (!pick) return null;
  const { c, why } = pick;
  const ref = cs.find((x) => x.isReference) ?? null;
  const ratio = c.isReference ? 1 : c.row.pplRatio;
  return {
    quant: c.row.quant,
    versus: ref ? ref.row.quant : null,
    pplDeltaPct: ref && ratio !== null ? (ratio - 1) * 100 : null,
    speedup: ref ? speedupOf(c, ref) : null,
    fit: c.row.fit,
    why,
  };
}
