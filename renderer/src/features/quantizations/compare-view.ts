/**
 * The Quantizations page as data: which model it opens on, the order and cells of the table, the recommendation line
 * in words. Pure functions (compare-view.test.ts); the words come from the `quant` namespace through `t`.
 */
import type { LibraryModel } from '@shared/models';
import type { FitPlan } from '@shared/models';
import type { QuantComparison, QuantRecommendation, QuantRow } from '@shared/quant';
import { formatBytes, formatDecimal } from '../../lib/format';
import type { QuantKey } from '../../lib/useQuantText';

/** `t` of the quant namespace (useQuantText in the app, an i18next instance over the same tables in tests). */
export type QuantT = (key: QuantKey, params?: Record<string, string | number>) => string;

/**
 * The model the page compares: the one the library's button asked for, else the running one, else the first in the
 * library (by name); only paths the library holds (a stale or hostile path is not sent to the core).
 */
export function pickModel(
  asked: string | null,
  running: string | null,
  library: readonly Pick<LibraryModel, 'path' | 'name'>[],
): string | null {
  const held = new Set(library.map((m) => m.path));
  if (asked && held.has(asked)) return asked;
  if (running && held.has(running)) return running;
  const first = [...library].sort((a, b) => a.name.localeCompare(b.name) || a.path.localeCompare(b.path))[0];
  return first?.path ?? null;
}

const AVAILABILITY_RANK: Record<QuantRow['availability'], number> = { installed: 0, download: 1, make: 2 };

/**
 * Most precise first (bits per weight, else size: the two go together), then what you have before what you could
 * download or make, then by name, so the table is stable whatever order the core lists the rows in.
 */
export function sortRows(rows: readonly QuantRow[]): QuantRow[] {
  const bpw = (r: QuantRow) => r.bitsPerWeight ?? -1;
  return [...rows].sort(
    (a, b) =>
      bpw(b) - bpw(a) ||
      b.sizeBytes - a.sizeBytes ||
      AVAILABILITY_RANK[a.availability] - AVAILABILITY_RANK[b.availability] ||
      a.quant.localeCompare(b.quant),
  );
}

/** The installed file KL-divergence is measured against. */
export const isReferenceRow = (row: QuantRow, ref: QuantComparison['reference']): boolean =>
  ref !== null && row.availability === 'installed' && row.path === ref.path;

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** Perplexity with two decimals (one above 100), KL-divergence with 4 significant-ish digits, percentages with one. */
export const fmtPpl = (n: number, lng: string) => formatDecimal(n, lng, n >= 100 ? 1 : 2);
const kldDigits = (n: number) => (n < 0.01 ? 5 : n < 1 ? 4 : 3);
/** `like`: the value whose digits to use (a standard error is shown with its mean's). */
export const fmtKld = (n: number, lng: string, like = n) => formatDecimal(n, lng, kldDigits(like));
export const fmtPct = (n: number, lng: string) => formatDecimal(n, lng, Math.abs(n) >= 100 ? 0 : 1);
/** Tokens per second as the models page shows them: one decimal below 10. */
export const fmtTps = (n: number, lng: string) => formatDecimal(n, lng, n < 10 ? 1 : 0);

export interface RowCells {
  size: string | null;
  tps: { n: string; source: 'measured' | 'estimate' } | null;
  ppl: { value: string; err: string | null } | null;
  kld: string | null;
  sameTop: string | null;
  reference: boolean;
  running: boolean;
}

/** What one table row shows; null where there is nothing to say (the cell shows a dash or "not measured"). */
export function rowCells(row: QuantRow, ref: QuantComparison['reference'], lng: string): RowCells {
  const q = row.quality;
  return {
    size: row.sizeBytes > 0 ? formatBytes(row.sizeBytes, lng) : null,
    tps: finite(row.tgTps) && row.tgTps > 0 ? { n: fmtTps(row.tgTps, lng), source: row.tgSource ?? 'estimate' } : null,
    ppl:
      q && finite(q.ppl)
        ? { value: fmtPpl(q.ppl, lng), err: finite(q.pplStdErr) ? fmtPpl(q.pplStdErr, lng) : null }
        : null,
    kld: finite(row.meanKld) ? fmtKld(row.meanKld, lng) : null,
    sameTop: finite(row.sameTopPct) ? fmtPct(row.sameTopPct, lng) : null,
    reference: isReferenceRow(row, ref),
    running: row.running,
  };
}

/**
 * The shape FitBadge reads (mode; for partial offload the layers on the GPU out of all) from a row's fit and the
 * planner's reason, whose FIT_PARTIAL params carry gpuLayers and layers. Null when the planner said nothing.
 */
export function badgePlan(row: Pick<QuantRow, 'quant' | 'fit' | 'fitReason' | 'sizeBytes' | 'tgTps'>): FitPlan | null {
  if (!row.fit || !row.fitReason) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const layers = num(row.fitReason.params.layers);
  const zero = { model: 0, context: 0, compute: 0 };
  return {
    quant: row.quant,
    contextSize: 0,
    kvType: 'f16',
    mode: row.fit,
    gpuLayers: row.fit === 'partial' ? num(row.fitReason.params.gpuLayers) : layers + 1,
    blockCount: layers,
    cpuMoeLayers: 0,
    gpu: [],
    host: zero,
    fileBytes: row.sizeBytes,
    tokensPerSecond: row.tgTps,
    speed: 'none',
    reason: row.fitReason,
  };
}

/** "2.9 % higher perplexity than Q8_0" (or lower, or the same below 0.05 %). */
export function pplClause(
  deltaPct: number,
  versus: string,
  t: QuantT,
  lng: string,
  keys: { higher: QuantKey; lower: QuantKey; same: QuantKey; versusParam: string },
): string {
  if (Math.abs(deltaPct) < 0.05) return t(keys.same, { [keys.versusParam]: versus });
  const pct = fmtPct(Math.abs(deltaPct), lng);
  return t(deltaPct > 0 ? keys.higher : keys.lower, { pct, [keys.versusParam]: versus });
}

const REC_PPL = {
  higher: 'compare.rec.pplHigher',
  lower: 'compare.rec.pplLower',
  same: 'compare.rec.pplSame',
  versusParam: 'versus',
} as const;

/**
 * The recommendation in words: "Q4_K_M: 2.9 % higher perplexity than Q8_0, 1.7 × faster, fits fully on your GPU".
 * Missing figures are left out (an unmeasured quality says so rather than guessing).
 */
export function recommendationSentence(rec: QuantRecommendation, t: QuantT, lng: string): string {
  const details: string[] = [];
  const isRef = rec.versus !== null && rec.versus === rec.quant;
  if (isRef) details.push(t('compare.rec.isReference'));
  else if (rec.versus !== null && finite(rec.pplDeltaPct))
    details.push(pplClause(rec.pplDeltaPct, rec.versus, t, lng, REC_PPL));
  else details.push(t('compare.rec.unmeasured'));
  if (!isRef && finite(rec.speedup) && rec.speedup > 0) {
    if (rec.speedup >= 1.05) details.push(t('compare.rec.faster', { x: formatDecimal(rec.speedup, lng, 1) }));
    else if (rec.speedup <= 0.95) details.push(t('compare.rec.slower', { x: formatDecimal(1 / rec.speedup, lng, 1) }));
    else details.push(t('compare.rec.sameSpeed'));
  }
  if (rec.fit) details.push(t(`compare.rec.fit.${rec.fit}`));
  return t('compare.rec.sentence', { quant: rec.quant, details: details.join(t('compare.rec.join')) });
}
