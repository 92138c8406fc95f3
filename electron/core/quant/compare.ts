/**
 * The per-model comparison of quantizations (issue 14 §3) as data, from facts the compose layer gathered (library
 * entries with their fit plans, profiles and cached quality results; catalog quants; types the tool can make).
 * Pure: compare.test.ts. Which row to recommend is compare-recommend.ts.
 *
 * Quality columns are always "vs the comparison's reference" (the best local F32/BF16/F16/Q8_0 sibling): KLD and
 * same-top % only from a KL-divergence run whose base is that reference; the PPL ratio from such a run, else from
 * the two perplexities when both were measured on the same text with the same settings. Nothing is mixed across
 * texts or settings.
 */
import type { DownloadRequest, FitMode, FitReason } from '../../shared/models';
import type { EvalTextId, Provenance, QualityResult, QuantComparison, QuantRow } from '../../shared/quant';
import { recommend, type Candidate } from './compare-recommend';

/** The fit planner's answer for a row (null when it could not plan it). */
export interface RowPlan {
  mode: FitMode;
  reason: FitReason;
  /** The planner's rough generation speed; null when it gives none. */
  tokensPerSecond: number | null;
}

export interface RowInput {
  quant: string;
  bitsPerWeight: number | null;
  sizeBytes: number;
  availability: QuantRow['availability'];
  libraryId: string | null;
  path: string | null;
  download: DownloadRequest | null;
  makeFrom: string | null;
  provenance: Provenance | null;
  plan: RowPlan | null;
  /** Auto-tune's measured generation tok/s for this very file (its profile still matching it). */
  measuredTps: number | null;
  /** Cached quality results of the file (installed rows), any text. */
  results: QualityResult[];
}

export interface CompareInput {
  modelPath: string;
  name: string;
  text: EvalTextId;
  /** The comparison's reference among the installed rows (its path), null when none is high-precision. */
  referencePath: string | null;
  /** The file the backend runs now (null when none). */
  runningPath: string | null;
  catalogId: string | null;
  repo: string | null;
  rows: RowInput[];
}

const newestFirst = (a: QualityResult, b: QualityResult) => b.measuredAt - a.measuredAt;
const sameSettings = (a: QualityResult, b: QualityResult) =>
  a.textSha256 === b.textSha256 && a.contextSize === b.contextSize && a.chunks === b.chunks;

/** How a reference is recognised in a KL-divergence result: its path, or its sha256 (the file may have moved). */
export interface RefIds {
  path: string;
  sha256s: Set<string>;
}

const isBase = (r: QualityResult, ref: RefIds | null) =>
  ref !== null && r.kld !== null && (r.kld.basePath === ref.path || ref.sha256s.has(r.kld.baseSha256.toLowerCase()));

/**
 * The result a row shows on `text`: the newest KL-divergence run against the reference, else the newest run of any
 * kind on that text; null when the file was never measured on it.
 */
export function pickQuality(results: QualityResult[], text: EvalTextId, ref: RefIds | null): QualityResult | null {
  const onText = results.filter((r) => r.text === text).sort(newestFirst);
  return onText.find((r) => isBase(r, ref)) ?? onText[0] ?? null;
}

export interface VsReference {
  pplRatio: number | null;
  meanKld: number | null;
  sameTopPct: number | null;
}

/** A row's quality vs the reference (see the file's comment); all null when nothing comparable was measured. */
export function versusReference(
  quality: QualityResult | null,
  rowResults: QualityResult[],
  refResults: QualityResult[],
  ref: RefIds | null,
): VsReference {
  const none = { pplRatio: null, meanKld: null, sameTopPct: null };
  if (!quality || !ref) return none;
  if (isBase(quality, ref)) {
    const k = quality.kld!;
    return { pplRatio: k.pplRatio, meanKld: k.meanKld, sameTopPct: k.sameTopPct };
  }
  // Two plain perplexities: the reference's newest run with the very same text and settings as one of the row's.
  for (const mine of [quality, ...rowResults.filter((r) => r !== quality && r.text === quality.text)]) {
    const theirs = refResults.filter((r) => sameSettings(r, mine)).sort(newestFirst)[0];
    if (theirs && theirs.ppl > 0 && Number.isFinite(mine.ppl)) return { ...none, pplRatio: mine.ppl / theirs.ppl };
  }
  return none;
}

export function buildComparison(input: CompareInput): QuantComparison {
  const refRow = input.rows.find((r) => r.availability === 'installed' && r.path === input.referencePath) ?? null;
  const refIds: RefIds | null = refRow
    ? {
        path: refRow.path!,
        sha256s: new Set(refRow.results.map((r) => r.modelSha256.toLowerCase())),
      }
    : null;
  const candidates: Candidate[] = [];
  const rows: QuantRow[] = input.rows.map((r) => {
    const isRef = refRow !== null && r === refRow;
    const quality = r.availability === 'installed' ? pickQuality(r.results, input.text, refIds) : null;
    const vs = isRef
      ? { pplRatio: null, meanKld: null, sameTopPct: null }
      : versusReference(quality, r.results, refRow?.results ?? [], refIds);
    const row: QuantRow = {
      quant: r.quant,
      bitsPerWeight: r.bitsPerWeight,
      sizeBytes: Math.max(0, Math.round(r.sizeBytes)),
      availability: r.availability,
      libraryId: r.libraryId,
      path: r.path,
      download: r.download,
      makeFrom: r.makeFrom,
      running: r.path !== null && r.path === input.runningPath,
      fit: r.plan?.mode ?? null,
      fitReason: r.plan?.reason ?? null,
      tgTps: r.measuredTps ?? r.plan?.tokensPerSecond ?? null,
      tgSource: r.measuredTps !== null ? 'measured' : r.plan?.tokensPerSecond != null ? 'estimate' : null,
      quality,
      ...vs,
      provenance: r.provenance,
    };
    candidates.push({
      row,
      isReference: isRef,
      // The reference measured on the text: by definition no loss against itself.
      measured: isRef ? quality !== null : vs.pplRatio !== null || vs.meanKld !== null,
      measuredTps: r.measuredTps,
      estimateTps: r.plan?.tokensPerSecond ?? null,
    });
    return row;
  });
  // The reference's loss against itself is zero whenever anything was measured against it (a KL-divergence run
  // computes its logits without storing a result of its own).
  const refCand = candidates.find((c) => c.isReference);
  if (refCand && candidates.some((c) => !c.isReference && c.measured)) refCand.measured = true;
  return {
    modelPath: input.modelPath,
    name: input.name,
    text: input.text,
    reference: refRow ? { quant: refRow.quant, path: refRow.path! } : null,
    rows,
    recommendation: recommend(candidates),
    catalogId: input.catalogId,
    repo: input.repo,
  };
}
