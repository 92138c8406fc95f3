import { describe, expect, it } from 'vitest';
import type { TelemetrySample } from '@shared/telemetry';
import { appendSample, lowerBound, mergeSamples, windowOf } from './samples';

const s = (ts: number, cpuPct = 0): TelemetrySample => ({
  ts,
  gpus: [],
  cpuPct,
  ramUsedBytes: null,
  ramTotalBytes: null,
  tokensPerSecond: null,
  requestsInFlight: 0,
  modelVramMiB: null,
});
const tss = (xs: readonly TelemetrySample[]) => xs.map((x) => x.ts);

describe('mergeSamples', () => {
  it.each([
    // Why each case matters:
    ['backlog then live, overlapping (events arrived while history was in flight)', [1, 2, 3], [3, 4], [1, 2, 3, 4]],
    ['live before backlog', [5, 6], [1, 2], [1, 2, 5, 6]],
    ['empty backlog', [], [1], [1]],
  ])('%s', (_why, a, b, want) => {
    expect(
      tss(
        mergeSamples(
          a.map((x) => s(x)),
          b.map((x) => s(x)),
        ),
      ),
    ).toEqual(want);
  });

  it('lets the later list win a duplicate timestamp', () => {
    expect(mergeSamples([s(1, 10)], [s(1, 20)])[0]!.cpuPct).toBe(20);
  });

  it('keeps only the newest `max`', () => {
    expect(tss(mergeSamples([s(1), s(2), s(3)], [s(4)], 2))).toEqual([3, 4]);
  });
});

describe('appendSample', () => {
  it('appends a newer sample without touching the old array', () => {
    const old = [s(1), s(2)];
    const next = appendSample(old, s(3));
    expect(tss(next)).toEqual([1, 2, 3]);
    expect(tss(old)).toEqual([1, 2]);
  });

  it('drops the oldest beyond the bound (an hour at 1 Hz stays an hour)', () => {
    let buf: TelemetrySample[] = [];
    for (let i = 0; i < 10; i++) buf = appendSample(buf, s(i), 4);
    expect(tss(buf)).toEqual([6, 7, 8, 9]);
  });

  it('merges a late or repeated sample in order', () => {
    expect(tss(appendSample([s(1), s(3)], s(2)))).toEqual([1, 2, 3]);
    expect(tss(appendSample([s(1), s(3)], s(3)))).toEqual([1, 3]);
  });
});

describe('windows', () => {
  const buf = Array.from({ length: 11 }, (_, i) => s(i * 1000));
  it('finds the first sample at or after a time', () => {
    expect(lowerBound(buf, 2500)).toBe(3);
    expect(lowerBound(buf, 0)).toBe(0);
    expect(lowerBound(buf, 99_000)).toBe(11);
  });

  it('ends at the newest sample, not the wall clock', () => {
    const w = windowOf(buf, 5);
    expect(w.end).toBe(10_000);
    expect(w.start).toBe(5_000);
    expect(tss(w.samples)).toEqual([5000, 6000, 7000, 8000, 9000, 10000]);
  });

  it('is empty without samples', () => {
    expect(windowOf([], 60)).toEqual({ samples: [], start: 0, end: 0 });
  });
});
