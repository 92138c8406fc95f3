/**
 * The client's telemetry buffer: pure functions over time-ordered samples, so the merge of the fetched backlog
 * with live events and the window arithmetic are testable without React.
 */
import type { TelemetrySample } from '@shared/telemetry';
import { appendByKey, mergeByKey } from '../../lib/ordered';

/** One hour at 1 Hz. The core keeps its own (shorter) ring buffer; this one only has to outlive a long session. */
export const MAX_SAMPLES = 3600;

const tsOf = (s: TelemetrySample) => s.ts;

/** Merges two ts-ordered lists (backlog and live), dropping duplicates by ts (the later list wins) and the oldest over `max`. */
export function mergeSamples(
  a: readonly TelemetrySample[],
  b: readonly TelemetrySample[],
  max = MAX_SAMPLES,
): TelemetrySample[] {
  return mergeByKey(a, b, tsOf, max);
}

/** Appends one live sample. The common case (newer than the last) copies references only; no sort. */
export function appendSample(
  samples: readonly TelemetrySample[],
  s: TelemetrySample,
  max = MAX_SAMPLES,
): TelemetrySample[] {
  return appendByKey(samples, s, tsOf, max);
}

/** Index of the first sample with ts >= t (binary search; samples are ts-ordered). */
export function lowerBound(samples: readonly TelemetrySample[], t: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (samples[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface TimeWindow {
  /** Samples inside [start, end], oldest first. */
  samples: readonly TelemetrySample[];
  start: number;
  end: number;
}

/**
 * The samples shown for a window of `seconds` ending at the newest sample (not at the wall clock: the view moves
 * when data arrives, never in between, so nothing re-renders without a new sample).
 */
export function windowOf(samples: readonly TelemetrySample[], seconds: number): TimeWindow {
  const last = samples[samples.length - 1];
  if (!last) return { samples: [], start: 0, end: 0 };
  const end = last.ts;
  const start = end - seconds * 1000;
  return { samples: samples.slice(lowerBound(samples, start)), start, end };
}

/** GPU indexes present in the newest sample (a GPU can vanish if the driver drops it; the newest view wins). */
export function gpuIndexes(samples: readonly TelemetrySample[]): number[] {
  const last = samples[samples.length - 1];
  return last ? last.gpus.map((g) => g.index) : [];
}
