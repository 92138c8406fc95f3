/**
 * The work queue's decisions, apart from its I/O (work-queue.ts): which job runs next, what a job's dependency
 * decides for it, the phases of each kind of job and their share of the progress bar, speed and ETA over a recent
 * window, the 250 ms snapshot throttle, and what a stored list means after a restart. All pure.
 */
import type { ErrorInfo } from '../../shared/errors';
import type { WorkJob, WorkKind, WorkPhase, WorkState } from '../../shared/quant';

export const LIVE_STATES: ReadonlySet<WorkState> = new Set(['queued', 'running']);

export function isLive(j: Pick<WorkJob, 'state'>): boolean {
  return LIVE_STATES.has(j.state);
}

/** What the queue does next: run a job, settle one whose dependency ended badly, or nothing. */
export type NextStep =
  | { kind: 'run'; id: string }
  | { kind: 'fail'; id: string; error: ErrorInfo | null }
  | { kind: 'cancel'; id: string }
  | null;

/**
 * One job at a time, first queued first (by createdAt, then list order); a job waits for its `after` job to
 * complete. A dependency that failed fails the job with its error; one cancelled or interrupted cancels it; one that
 * is gone (removed after it completed) no longer holds it back.
 */
export function nextStep(jobs: readonly WorkJob[]): NextStep {
  if (jobs.some((j) => j.state === 'running')) return null;
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const queued = jobs
    .map((j, i) => ({ j, i }))
    .filter(({ j }) => j.state === 'queued')
    .sort((a, b) => a.j.createdAt - b.j.createdAt || a.i - b.i)
    .map(({ j }) => j);
  for (const j of queued) {
    const dep = j.after ? byId.get(j.after) : undefined;
    if (!dep || dep.state === 'completed') return { kind: 'run', id: j.id };
    if (dep.state === 'failed') return { kind: 'fail', id: j.id, error: dep.error };
    if (dep.state === 'cancelled' || dep.state === 'interrupted') return { kind: 'cancel', id: j.id };
    // The dependency is still queued or running: look further down the queue.
  }
  return null;
}

/** The phases a job goes through, each with its share of the progress bar (shares sum to 1). */
export function phasePlan(kind: WorkKind, opts: { kld?: boolean } = {}): [WorkPhase, number][] {
  switch (kind) {
    case 'quantize':
      // hashing: the source's sha256 for the provenance (cached after the first time); installing: the result's.
      return [
        ['hashing', 0.05],
        ['quantize', 0.85],
        ['installing', 0.1],
      ];
    case 'imatrix':
      return [
        ['hashing', 0.05],
        ['imatrix', 0.95],
      ];
    case 'quality':
      return opts.kld
        ? [
            ['hashing', 0.1],
            ['kld-base', 0.4],
            ['kld', 0.5],
          ]
        : [
            ['hashing', 0.1],
            ['perplexity', 0.9],
          ];
  }
}

/**
 * 0..1 over the whole job: the shares of the phases before the current one plus the current one's share × done /
 * total. A phase the plan does not list keeps the progress where it was (`previous`); progress never goes back.
 */
export function overallProgress(
  plan: readonly [WorkPhase, number][],
  phase: WorkPhase,
  done: number,
  total: number,
  previous: number,
): number {
  if (phase === 'finished') return 1;
  const i = plan.findIndex(([p]) => p === phase);
  if (i < 0) return previous;
  const before = plan.slice(0, i).reduce((s, [, w]) => s + w, 0);
  const frac = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const p = before + plan[i]![1] * frac;
  return Math.min(1, Math.max(previous, p));
}

export interface Sample {
  t: number;
  done: number;
  progress: number;
}

/** How far back speed and ETA look. */
export const SPEED_WINDOW_MS = 5000;
/** Less than this much time in the window says nothing yet. */
const MIN_SPAN_MS = 400;

/** Keeps the samples of the last window (plus the one just before it, so the window is always spanned). */
export function addSample(samples: readonly Sample[], s: Sample, windowMs = SPEED_WINDOW_MS): Sample[] {
  const all = [...samples, s];
  let first = 0;
  while (first + 1 < all.length && s.t - all[first + 1]!.t >= windowMs) first++;
  return all.slice(first);
}

/** Units per second of the current phase over the window; null until the window spans enough time. */
export function speedOf(samples: readonly Sample[]): number | null {
  const a = samples[0];
  const b = samples[samples.length - 1];
  if (!a || !b || b.t - a.t < MIN_SPAN_MS || b.done < a.done) return null;
  return ((b.done - a.done) * 1000) / (b.t - a.t);
}

/**
 * Seconds left for the whole job, from how fast the overall progress moved over the window; null when it did not
 * move (nothing to go by) or the window is too short.
 */
export function etaOf(samples: readonly Sample[]): number | null {
  const a = samples[0];
  const b = samples[samples.length - 1];
  if (!a || !b || b.t - a.t < MIN_SPAN_MS) return null;
  const rate = (b.progress - a.progress) / ((b.t - a.t) / 1000);
  if (!(rate > 0)) return null;
  return Math.max(0, Math.round((1 - b.progress) / rate));
}

/** Milliseconds between two running snapshots of a job at most. */
export const SNAPSHOT_MS = 250;

/** When the next snapshot may go out: now (0) for a state change or after SNAPSHOT_MS, else the wait. */
export function snapshotDelay(now: number, lastEmit: number, stateChange: boolean): number {
  if (stateChange) return 0;
  return Math.max(0, SNAPSHOT_MS - (now - lastEmit));
}

/** A stored list after a restart: what was queued or running is interrupted (shown, never restarted by itself). */
export function restoreJob(j: WorkJob, now: number): WorkJob {
  const base = { ...j, speed: null, etaSeconds: null };
  if (!isLive(j)) return base;
  return { ...base, state: 'interrupted', updatedAt: now, finishedAt: now };
}

/** The unit a phase counts in (speed's unit). */
export function unitOf(phase: WorkPhase): 'tensors' | 'chunks' | 'bytes' {
  if (phase === 'quantize') return 'tensors';
  if (phase === 'hashing' || phase === 'installing') return 'bytes';
  return 'chunks';
}
