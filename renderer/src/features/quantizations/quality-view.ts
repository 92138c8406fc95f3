/**
 * The quality check dialog as data: what will run, which cached answer applies, the result in plain words, the
 * running job's figures. Pure functions (quality-view.test.ts).
 */
import type { EvalTextId, QualityResult, QuantComparison } from '@shared/quant';
import { fileName, formatDecimal } from '../../lib/format';
import { fmtKld, fmtPct, fmtPpl, pplClause, type QuantT } from './compare-view';

export type QualityRun =
  | { kind: 'kld'; reference: string; referencePath: string }
  | { kind: 'ppl'; why: 'no-reference' | 'is-reference' | 'unknown' };

/**
 * What "Check quality" runs on `modelPath` (kld: 'auto'): perplexity, plus KL-divergence against the comparison's
 * reference when there is one and it is another file. `comparison` undefined: not known (yet, or it failed).
 */
export function qualityRun(modelPath: string, comparison: QuantComparison | undefined): QualityRun {
  if (!comparison) return { kind: 'ppl', why: 'unknown' };
  const ref = comparison.reference;
  if (!ref) return { kind: 'ppl', why: 'no-reference' };
  if (ref.path === modelPath) return { kind: 'ppl', why: 'is-reference' };
  return { kind: 'kld', reference: ref.quant, referencePath: ref.path };
}

/**
 * The cached answer quality.start would give without `force`: the newest result for this text that was measured
 * the same way (against the same reference, or without one when there is none). Unknown run: no claim.
 */
export function cachedFor(results: readonly QualityResult[], text: EvalTextId, run: QualityRun): QualityResult | null {
  if (run.kind === 'ppl' && run.why === 'unknown') return null;
  const fits = (r: QualityResult) =>
    r.text === text && (run.kind === 'kld' ? r.kld?.basePath === run.referencePath : r.kld === null);
  return [...results].filter(fits).sort((a, b) => b.measuredAt - a.measuredAt)[0] ?? null;
}

const RESULT_PPL = {
  higher: 'quality.result.pplHigher',
  lower: 'quality.result.pplLower',
  same: 'quality.result.pplSame',
  versusParam: 'base',
} as const;

export interface QualityWords {
  /** "Perplexity 7.52 ± 0.12" */
  ppl: string;
  /** "1.9 % higher perplexity than Q8_0; picks the same top token 97.4 % of the time" (with KL-divergence only). */
  comparison: string | null;
  /** "Mean KL-divergence 0.0123 ± 0.0004" */
  kld: string | null;
  /** "Perplexity ratio 1.019" */
  ratio: string | null;
}

/** The result in plain words, in the UI language. */
export function qualityWords(r: QualityResult, t: QuantT, lng: string): QualityWords {
  const err = r.pplStdErr != null && Number.isFinite(r.pplStdErr) ? r.pplStdErr : null;
  const ppl =
    err === null
      ? t('quality.result.pplNoErr', { ppl: fmtPpl(r.ppl, lng) })
      : t('quality.result.ppl', { ppl: fmtPpl(r.ppl, lng), err: fmtPpl(err, lng) });
  const k = r.kld;
  if (!k) return { ppl, comparison: null, kld: null, ratio: null };
  const base = k.baseType ?? fileName(k.basePath);
  const comparison = [
    pplClause((k.pplRatio - 1) * 100, base, t, lng, RESULT_PPL),
    t('quality.result.sameTop', { pct: fmtPct(k.sameTopPct, lng) }),
  ].join(t('quality.result.join'));
  const kld =
    k.meanKldStdErr != null && Number.isFinite(k.meanKldStdErr)
      ? t('quality.result.kld', { kld: fmtKld(k.meanKld, lng), err: fmtKld(k.meanKldStdErr, lng, k.meanKld) })
      : t('quality.result.kldNoErr', { kld: fmtKld(k.meanKld, lng) });
  return { ppl, comparison, kld, ratio: t('quality.result.ratio', { ratio: formatDecimal(k.pplRatio, lng, 3) }) };
}

/** "42 s", "3 min 5 s" (longer checks are rare: the settings aim at about two minutes). */
export function durationText(seconds: number, t: QuantT): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? t('quality.seconds', { n: s }) : t('quality.minutes', { m: Math.floor(s / 60), s: s % 60 });
}

/** A date the way the UI language writes it ("3 Dec 2026, 08:40"). */
export const measuredDate = (ms: number, lng: string) =>
  new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));

/** The evaluation text a check starts on: the one in the UI language (Chinese for a Chinese UI, else English). */
export const defaultText = (lng: string): EvalTextId => (lng.startsWith('zh') ? 'zh-CN' : 'en');
