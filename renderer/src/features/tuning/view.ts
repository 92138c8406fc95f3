/**
 * Pure decisions behind "Benchmark this model" and the model's saved defaults on the Model page: which job to show,
 * the order of the rows, which one is best for chat, and the figures as text. Testable without React: view.test.ts.
 */
import type { LoadOptions } from '@shared/schemas';
import type { ModelProfile, ProfileAnswer, TuneConfig, TuneJob, TuneRow } from '@shared/tuning';

/** llama-bench's -ngl 999 (and above) means every layer. */
export const ALL_LAYERS = 999;

/** One configuration as the table shows it; words (on/off, all) are looked up by the component. */
export interface ConfigCells {
  threads: string;
  gpuLayers: { kind: 'all' } | { kind: 'none' } | { kind: 'layers'; n: number };
  flashAttention: boolean;
  batch: string;
  cacheType: TuneConfig['cacheType'];
}

export function configCells(c: TuneConfig): ConfigCells {
  return {
    threads: String(c.threads),
    gpuLayers:
      c.gpuLayers >= ALL_LAYERS
        ? { kind: 'all' }
        : c.gpuLayers === 0
          ? { kind: 'none' }
          : { kind: 'layers', n: c.gpuLayers },
    flashAttention: c.flashAttention,
    batch: `${c.batch} / ${c.ubatch}`,
    cacheType: c.cacheType,
  };
}

export function sameConfig(a: TuneConfig | null | undefined, b: TuneConfig | null | undefined): boolean {
  if (!a || !b) return false;
  return (
    a.threads === b.threads &&
    a.gpuLayers === b.gpuLayers &&
    a.flashAttention === b.flashAttention &&
    a.batch === b.batch &&
    a.ubatch === b.ubatch &&
    a.cacheType === b.cacheType
  );
}

/** A stable key for React lists (a configuration is measured once per job). */
export const configKey = (c: TuneConfig) =>
  `${c.threads}-${c.gpuLayers}-${c.flashAttention ? 1 : 0}-${c.batch}-${c.ubatch}-${c.cacheType}`;

const measured = (r: TuneRow) => r.error === null && r.tgTps !== null;

/**
 * Best for chat first: generation tok/s (what a reader waits on), then prompt processing; failed or unmeasured rows
 * last, in the order they ran.
 */
export function compareForChat(a: TuneRow, b: TuneRow): number {
  const ma = measured(a);
  const mb = measured(b);
  if (ma !== mb) return ma ? -1 : 1;
  if (!ma) return 0;
  if (a.tgTps !== b.tgTps) return (b.tgTps ?? 0) - (a.tgTps ?? 0);
  return (b.ppTps ?? -1) - (a.ppTps ?? -1);
}

/**
 * The rows best-first (Array.prototype.sort is stable, so ties and failures keep the order they ran in). The core's
 * pick, when given, heads the table: it counts generation figures within noise as tied and then prefers the faster
 * prompt, so it is not always the row with the very highest generation figure.
 */
export function sortRows(rows: readonly TuneRow[], best: TuneConfig | null = null): TuneRow[] {
  return [...rows].sort((a, b) => {
    const ba = sameConfig(a.config, best);
    const bb = sameConfig(b.config, best);
    return ba !== bb ? (ba ? -1 : 1) : compareForChat(a, b);
  });
}

/** Our own pick among the rows, for "best so far" while the core has not named one yet. */
export function leader(rows: readonly TuneRow[]): TuneConfig | null {
  const first = sortRows(rows)[0];
  return first && measured(first) ? first.config : null;
}

/**
 * Which configuration to highlight: the core's pick once the sweep is over (final), else the leader so far (the
 * core's running pick or ours); a cancelled or failed job only ever had a leader.
 */
export function bestOf(
  job: Pick<TuneJob, 'best' | 'rows' | 'state' | 'phase'>,
): { config: TuneConfig; final: boolean } | null {
  const final = job.state === 'done' || (job.state === 'running' && job.phase !== 'sweep');
  const config = job.best ?? leader(job.rows);
  return config ? { config, final: final && job.best !== null } : null;
}

/** The measured row of a configuration (for the figures beside "best for chat"). */
export function rowOf(rows: readonly TuneRow[], config: TuneConfig | null): TuneRow | null {
  return (config && rows.find((r) => sameConfig(r.config, config))) || null;
}

const PHASES: Record<TuneJob['phase'], number> = { sweep: 0, 'app-check': 1, saving: 2, finished: 3 };
const FINAL = new Set<TuneJob['state']>(['done', 'failed', 'cancelled']);

export const isRunning = (job: Pick<TuneJob, 'state'> | null | undefined): boolean => job?.state === 'running';

/**
 * A fetch (tune.status) and events (tune.progress) can arrive in any order: a later job wins; within one job, a
 * finished snapshot, then a later phase, then more rows measured, then more progress.
 */
export function newerTuneJob(a: TuneJob | null | undefined, b: TuneJob | null | undefined): TuneJob | null {
  if (!a) return b ?? null;
  if (!b) return a;
  if (a.id !== b.id) return b.startedAt >= a.startedAt ? b : a;
  const fa = FINAL.has(a.state);
  const fb = FINAL.has(b.state);
  if (fa !== fb) return fb ? b : a;
  if (PHASES[a.phase] !== PHASES[b.phase]) return PHASES[b.phase] > PHASES[a.phase] ? b : a;
  if (a.rows.length !== b.rows.length) return b.rows.length > a.rows.length ? b : a;
  if (a.saved !== b.saved) return b.saved ? b : a;
  return b.progress >= a.progress ? b : a;
}

/**
 * What the panel shows for the model on the page: its own job (running or its outcome), another model's job that is
 * still running (it blocks a new one: one at a time), or none (a finished job of another model is not ours to show).
 * The core names the file by its absolute path; `startedHere` is the id of the job this page started for this path
 * (typed as `~/…` or relative, it would not compare equal).
 */
export function jobFor(
  job: TuneJob | null | undefined,
  modelPath: string,
  startedHere: string | null = null,
): { kind: 'none' } | { kind: 'this'; job: TuneJob } | { kind: 'other'; job: TuneJob } {
  if (!job) return { kind: 'none' };
  if (job.modelPath === modelPath || job.id === startedHere) return { kind: 'this', job };
  return isRunning(job) ? { kind: 'other', job } : { kind: 'none' };
}

/** Bar value 0..1; null (animated) before the first configuration has told how long one takes. */
export function barValue(job: Pick<TuneJob, 'progress' | 'state' | 'done'>): number | null {
  if (job.state === 'done') return 1;
  if (job.state === 'running' && job.done === 0 && job.progress === 0) return null;
  return job.progress;
}

/** Tokens per second as read in a table: 1 decimal under 1000, whole numbers above. */
export function formatTps(v: number, locale: string): string {
  const digits = Math.abs(v) >= 1000 ? 0 : 1;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

/** "41.8 ± 0.3"; the ± part only when llama-bench measured a spread. */
export function formatTpsStd(v: number | null, std: number | null, locale: string): string {
  if (v === null) return '—';
  const main = formatTps(v, locale);
  return std !== null && std > 0 ? `${main} ± ${formatTps(std, locale)}` : main;
}

/** The app's own generation speed as a whole percent of llama-bench's (99 %, not 0.99). */
export const ratioPercent = (ratio: number) => Math.round(ratio * 100);

// ---------- the model's saved defaults ----------

export type ProfileView =
  | { kind: 'none' }
  | { kind: 'stale'; why: 'model-changed' | 'hardware-changed' }
  | { kind: 'saved'; profile: ModelProfile; diffs: OptionDiff[] };

export interface OptionDiff {
  key: keyof LoadOptions;
  value: LoadOptions[keyof LoadOptions];
}

/** Keys in the order the load-options form shows them; anything else after, in its own order. */
const OPTION_ORDER: (keyof LoadOptions)[] = [
  'contextSize',
  'gpuLayers',
  'flashAttention',
  'threads',
  'batch',
  'ubatch',
  'cacheTypeK',
  'cacheTypeV',
  'parallel',
  'cacheReuse',
  'cpuMoeLayers',
  'reasoningFormat',
  'loadMode',
  'speculative',
  'gpus',
];

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The saved options that change something: those that differ from the global load options they are merged over
 * (a value the global defaults have since caught up with changes nothing and is not listed).
 */
export function optionDiffs(saved: Partial<LoadOptions>, global: LoadOptions | null): OptionDiff[] {
  const rank = (k: string) => {
    const i = OPTION_ORDER.indexOf(k as keyof LoadOptions);
    return i < 0 ? OPTION_ORDER.length : i;
  };
  return (Object.keys(saved) as (keyof LoadOptions)[])
    .filter((k) => saved[k] !== undefined && (!global || !sameValue(saved[k], global[k])))
    .sort((a, b) => rank(a) - rank(b))
    .map((key) => ({ key, value: saved[key]! }));
}

export function profileView(answer: ProfileAnswer | null | undefined, global: LoadOptions | null): ProfileView {
  if (!answer) return { kind: 'none' };
  if (answer.profile)
    return { kind: 'saved', profile: answer.profile, diffs: optionDiffs(answer.profile.options, global) };
  if (answer.stale) return { kind: 'stale', why: answer.stale };
  return { kind: 'none' };
}
