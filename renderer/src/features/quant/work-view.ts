/**
 * The work queue (quantize, importance matrix, quality check) as the jobs list shows it. Pure functions, tested in
 * work-view.test.ts; the words come from useWorkText.
 */
import type { WorkJob, WorkState } from '@shared/quant';

/** States in which the job still holds (or waits for) the machine. */
export const ACTIVE_WORK: ReadonlySet<WorkState> = new Set(['queued', 'running']);

export const isActiveWork = (j: Pick<WorkJob, 'state'>) => ACTIVE_WORK.has(j.state);
/** work.cancel takes queued and running jobs; work.remove the others (WORK_ACTIVE otherwise). */
export const canCancelWork = isActiveWork;
export const canRemoveWork = (j: Pick<WorkJob, 'state'>) => !ACTIVE_WORK.has(j.state);

/** Running first, then queued (oldest first: the order they run in), then finished ones, newest first. */
export function sortWork(jobs: readonly WorkJob[]): WorkJob[] {
  const rank = (j: WorkJob) => (j.state === 'running' ? 0 : j.state === 'queued' ? 1 : 2);
  return [...jobs].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 1 ? a.createdAt - b.createdAt : (b.finishedAt ?? b.updatedAt) - (a.finishedAt ?? a.updatedAt)) ||
      a.id.localeCompare(b.id),
  );
}

/**
 * The newest snapshot of each job wins, whether it came from work.list or a work.progress event (they can arrive
 * in any order); within the same millisecond an ended job stays ended. `listed`: the ids a fresh work.list returned; cached jobs outside it were removed meanwhile.
 */
export function mergeWork(current: readonly WorkJob[], incoming: readonly WorkJob[], listed?: ReadonlySet<string>) {
  const byId = new Map(current.filter((j) => !listed || listed.has(j.id)).map((j) => [j.id, j]));
  for (const j of incoming) {
    const old = byId.get(j.id);
    // Same millisecond: a job that has ended never goes back to queued/running (an end is always the last word).
    const staleTie = old && old.updatedAt === j.updatedAt && !isActiveWork(old) && isActiveWork(j);
    if (!old || (old.updatedAt <= j.updatedAt && !staleTie)) byId.set(j.id, j);
  }
  return sortWork([...byId.values()]);
}

export const removeWork = (current: readonly WorkJob[] | undefined, id: string) =>
  (current ?? []).filter((j) => j.id !== id);

/** The bar's value: the job's own 0..1, null (indeterminate) while it runs a phase without a count. */
export function workFraction(j: WorkJob): number | null {
  if (j.state === 'completed') return 1;
  if (j.state === 'running' && j.total === 0 && j.progress === 0) return null;
  return Math.max(0, Math.min(1, j.progress));
}

/** Whole percent, never 100 before the job completes (a full bar that keeps running looks broken). */
export function workPercent(j: WorkJob): number {
  if (j.state === 'completed') return 100;
  return Math.min(99, Math.floor(Math.max(0, Math.min(1, j.progress)) * 100));
}

/** Speed in its unit per second, rounded as shown: below 10 with one decimal. */
export function speedFigure(
  speed: WorkJob['speed'],
): { value: number; digits: number; unit: 'tensors' | 'chunks' | 'bytes' } | null {
  if (!speed || !Number.isFinite(speed.value) || speed.value <= 0) return null;
  return { value: speed.value, digits: speed.value < 10 ? 1 : 0, unit: speed.unit };
}

/** What the row shows below the bar, as data: units done, speed and ETA only while it runs. */
export function workFigures(j: WorkJob): {
  count: { done: number; total: number; unit: 'tensors' | 'chunks' | 'bytes' } | null;
  speed: ReturnType<typeof speedFigure>;
  eta: number | null | 'unknown';
} {
  const unit = j.speed?.unit ?? (j.phase === 'quantize' ? 'tensors' : 'chunks');
  const running = j.state === 'running';
  const count = running && j.total > 0 ? { done: Math.min(j.done, j.total), total: j.total, unit } : null;
  const speed = running ? speedFigure(j.speed) : null;
  const eta = !running ? null : j.etaSeconds != null && Number.isFinite(j.etaSeconds) ? j.etaSeconds : 'unknown';
  return { count, speed, eta };
}

/** How many jobs hold or wait for the machine (the badge beside "Jobs"). */
export const activeWorkCount = (jobs: readonly WorkJob[] | undefined) => (jobs ?? []).filter(isActiveWork).length;
