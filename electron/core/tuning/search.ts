/**
 * Which configuration to measure next, and which measured one to pick. Pure: every decision is a function of the
 * rows measured so far, so a job can ask again after each row (and a test can replay recorded grids).
 *
 * Pick for chat: the highest generation tok/s; rows within noise of it (2 % or the best row's stddev, at most 5 %)
 * count as tied, and among those the highest prompt-processing tok/s wins.
 *
 * Auto: coordinate descent from a good first guess (the first value of every dimension, see grid.ts), walking the
 * dimensions that move generation most first; on each, measure the other values with the rest held, keep the best,
 * and go round again until nothing changes or the budget (a quarter of the grid, by count) is spent. Batch sizes
 * come last: they only change prompt processing, so a small budget spends nothing on them.
 */
import type { TuneConfig, TuneMode, TuneRow } from '../../shared/tuning';
import { configKey } from './bench-args';
import { configAt, DIMENSIONS, expandGrid, gridSize, type GridPoint, type GridSpace } from './grid';

export const NOISE_REL = 0.02;
export const NOISE_MAX_REL = 0.05;
const MAX_PASSES = 3;

/** The best row for chat (see the header), or null when no row has a generation figure. */
export function pickBest(rows: readonly TuneRow[]): TuneRow | null {
  const ok = rows.filter((r) => !r.error && r.tgTps !== null && r.tgTps > 0);
  if (!ok.length) return null;
  const top = ok.reduce((a, b) => (b.tgTps! > a.tgTps! ? b : a));
  const tol = Math.min(NOISE_MAX_REL * top.tgTps!, Math.max(NOISE_REL * top.tgTps!, top.tgStd ?? 0));
  const tied = ok.filter((r) => r.tgTps! >= top.tgTps! - tol);
  return tied.reduce((a, b) => {
    const pa = a.ppTps ?? -1;
    const pb = b.ppTps ?? -1;
    if (pb !== pa) return pb > pa ? b : a;
    return b.tgTps! > a.tgTps! ? b : a;
  });
}

/** How many configurations the auto search may measure: a quarter of the grid, at least one. */
export function autoBudget(space: GridSpace): number {
  return Math.max(1, Math.floor(gridSize(space) / 4));
}

/** How many configurations a mode measures at most. */
export function plannedCount(space: GridSpace, mode: TuneMode): number {
  return mode === 'exhaustive' ? gridSize(space) : autoBudget(space);
}

/** The next configuration to measure, or null when the sweep is over. */
export function nextConfig(space: GridSpace, mode: TuneMode, rows: readonly TuneRow[]): TuneConfig | null {
  const seen = new Set(rows.map((r) => configKey(r.config)));
  if (mode === 'exhaustive') return expandGrid(space).find((c) => !seen.has(configKey(c))) ?? null;
  if (rows.length >= autoBudget(space)) return null;
  const byKey = new Map(rows.map((r) => [configKey(r.config), r] as const));
  let current: GridPoint = { gpuLayers: 0, threads: 0, attention: 0, batching: 0 };
  const start = configAt(space, current);
  if (!seen.has(configKey(start))) return start;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let moved = false;
    for (const dim of DIMENSIONS) {
      const points = space[dim].map((_, i) => ({ ...current, [dim]: i }));
      const unmeasured = points.find((p) => !seen.has(configKey(configAt(space, p))));
      if (unmeasured) return configAt(space, unmeasured);
      const measured = points.map((p) => byKey.get(configKey(configAt(space, p)))!);
      const best = pickBest(measured);
      if (!best) continue;
      const i = measured.indexOf(best);
      if (i !== current[dim]) {
        current = points[i]!;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return null;
}
