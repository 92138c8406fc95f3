/**
 * Reading llama-perplexity's output (tools/perplexity/perplexity.cpp at the pinned llama.cpp). Pure: the runner
 * feeds text in, these say what it means. Tool output is hostile: a figure that is not a finite number (nan, inf,
 * garbage) is no figure, and a run without its summary is a failure, never a result.
 *
 * Plain perplexity: "perplexity: calculating perplexity over N chunks, n_ctx=…" (stderr), progress
 *   "[1]12.3456,[2]11.9876,…" on stdout without newlines, then "Final estimate: PPL = 11.2345 +/- 0.12345" (stderr).
 * KL-divergence: "kl_divergence: computing over N chunks, n_ctx=…", one row per chunk on stdout
 *   ("   1       12.3456 ±    1.2345       0.00123 ±    0.00045 …"), then the statistics blocks (only when at least
 *   100 tokens were scored): "Mean PPL(Q) : x ± y", "Mean PPL(base) : x ± y", "Mean PPL(Q)/PPL(base) : x ± y",
 *   "Mean    KLD: x ± y", "Same top p: x ± y %".
 */

export interface PplFinal {
  ppl: number;
  stdErr: number | null;
}

export interface KldFigures {
  pplQ: number;
  pplQStdErr: number | null;
  pplBase: number | null;
  pplRatio: number;
  meanKld: number;
  meanKldStdErr: number | null;
  sameTopPct: number;
}

const NUM = String.raw`([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?nan|[-+]?inf(?:inity)?)`;
const PM = String.raw`\s*(?:±|\+/-)\s*`;

/** A finite number from the tool's text; null for nan, inf or anything else. */
export function toFinite(s: string | undefined): number | null {
  if (s === undefined) return null;
  if (!/^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(s.trim())) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** The chunk count the tool settled on ("… over N chunks"), which may be fewer than asked for a short text. */
export function parseChunkTotal(text: string): number | null {
  const m = /(?:calculating perplexity|computing) over (\d+) chunks/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The highest chunk number in plain-perplexity progress ("[7]12.3,"); 0 before the first. */
export function parsePplProgress(text: string): number {
  let done = 0;
  for (const m of text.matchAll(/\[(\d+)\][^,\s[]*,/g)) done = Math.max(done, Number(m[1]));
  return done;
}

/** The highest chunk number in KL-divergence rows ("  12    10.1 ± 0.3 …"); 0 before the first. */
export function parseKldProgress(text: string): number {
  let done = 0;
  for (const m of text.matchAll(/^\s*(\d+)\s+\S+\s+±/gm)) done = Math.max(done, Number(m[1]));
  return done;
}

/** "Final estimate: PPL = x +/- y"; null when absent, or when x is not a finite number above 0. */
export function parsePplFinal(text: string): PplFinal | null {
  const m = new RegExp(String.raw`Final estimate: PPL = ${NUM}${PM}${NUM}`).exec(text);
  if (!m) return null;
  const ppl = toFinite(m[1]);
  if (ppl === null || ppl <= 0) return null;
  const err = toFinite(m[2]);
  return { ppl, stdErr: err !== null && err >= 0 ? err : null };
}

function stat(text: string, label: string): { value: number | null; err: number | null; found: boolean } {
  const m = new RegExp(String.raw`^${label}\s*:\s*${NUM}(?:${PM}${NUM})?`, 'm').exec(text);
  if (!m) return { value: null, err: null, found: false };
  const err = toFinite(m[2]);
  return { value: toFinite(m[1]), err: err !== null && err >= 0 ? err : null, found: true };
}

/**
 * The KL-divergence summary; null when it is missing (too few tokens, a truncated run) or a figure the result
 * needs is not a finite number (PPL(Q) and its ratio above 0, KLD at least 0, same-top within 0..100).
 */
export function parseKld(text: string): KldFigures | null {
  const q = stat(text, String.raw`Mean PPL\(Q\)`);
  const base = stat(text, String.raw`Mean PPL\(base\)`);
  const ratio = stat(text, String.raw`Mean PPL\(Q\)/PPL\(base\)`);
  const kld = stat(text, String.raw`Mean\s+KLD`);
  const top = stat(text, String.raw`Same top p`);
  if (q.value === null || q.value <= 0) return null;
  if (ratio.value === null || ratio.value <= 0) return null;
  // Rounding prints a tiny negative mean KLD for identical models ("-0.000000"): that is 0.
  if (kld.value === null || kld.value < -1e-6) return null;
  if (top.value === null || top.value < 0 || top.value > 100) return null;
  return {
    pplQ: q.value,
    pplQStdErr: q.err,
    pplBase: base.value !== null && base.value > 0 ? base.value : null,
    pplRatio: ratio.value,
    meanKld: Math.max(0, kld.value),
    meanKldStdErr: kld.err,
    sameTopPct: top.value,
  };
}

const FAILURE_RE =
  /error|failed|unable|cannot|can't|you need at least|tokenizes to only|does not look|inconsistent|has been computed with|unexpected|not enough|out of memory|exception|abort/i;

/** The tool's own line that says what went wrong (the last such line), trimmed; null when none. */
export function failureLine(text: string): string | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (l && FAILURE_RE.test(l)) return l.length > 300 ? `${l.slice(0, 300)}…` : l;
  }
  return null;
}

/**
 * Lines after which llama-perplexity goes on although its figures mean nothing (perplexity.cpp only logs them):
 * the base logits came from another vocabulary, or from a longer context than this run's.
 */
export function fatalLine(text: string): string | null {
  const m = /^.*(?:inconsistent vocabulary|has been computed with \d+, while the current context).*$/m.exec(text);
  return m ? m[0].trim() : null;
}
