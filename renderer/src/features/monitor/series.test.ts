import { describe, expect, it } from 'vitest';
import type { GpuSample, TelemetrySample } from '@shared/telemetry';
import {
  bucketFor,
  lastOf,
  maxOf,
  nearestIndex,
  niceAxis,
  niceStep,
  powerSeries,
  seriesPath,
  temperatureAxis,
  timeTicks,
  valueAt,
  vramSeries,
  type Frame,
} from './series';

const gpu = (index: number, over: Partial<GpuSample> = {}): GpuSample => ({
  index,
  name: `GPU ${index}`,
  vramUsedMiB: 1024,
  vramTotalMiB: 24 * 1024,
  temperatureC: 50,
  powerDrawW: 100,
  powerLimitW: 350,
  powerMinW: 100,
  powerMaxW: 400,
  powerDefaultW: 350,
  utilizationPct: 10,
  smClockMHz: 1500,
  memClockMHz: 9000,
  fanPct: 30,
  ...over,
});
const sample = (ts: number, gpus: GpuSample[], over: Partial<TelemetrySample> = {}): TelemetrySample => ({
  ts,
  gpus,
  cpuPct: 5,
  ramUsedBytes: 8 * 2 ** 30,
  ramTotalBytes: 32 * 2 ** 30,
  tokensPerSecond: null,
  requestsInFlight: 0,
  modelVramMiB: 2048,
  ...over,
});

describe('columns', () => {
  it('reads the chosen GPU, in GiB, with NaN for [N/A]', () => {
    const c = vramSeries(
      [sample(1, [gpu(0), gpu(1, { vramUsedMiB: 2048 })]), sample(2, [gpu(0), gpu(1, { vramUsedMiB: null })])],
      1,
      true,
    );
    expect([...c.t]).toEqual([1, 2]);
    expect(valueAt(c.v.used, 0)).toBe(2);
    expect(valueAt(c.v.used, 1)).toBeNull();
    expect(valueAt(c.v.model, 0)).toBe(2);
    expect(lastOf(c, 'total')).toBe(24);
  });

  it('finds a GPU by its index even when the driver lists them out of order', () => {
    const c = powerSeries([sample(1, [gpu(1, { powerDrawW: 11 }), gpu(0, { powerDrawW: 22 })])], 0);
    expect(valueAt(c.v.draw, 0)).toBe(22);
  });

  it('max ignores missing values', () => {
    const c = powerSeries([sample(1, [gpu(0, { powerDrawW: null })]), sample(2, [gpu(0, { powerDrawW: 80 })])], 0);
    expect(maxOf(c, 'draw')).toBe(80);
    expect(
      maxOf(powerSeries([sample(1, [gpu(0, { powerDrawW: null, powerLimitW: null })])], 0), 'draw', 'limit'),
    ).toBeNull();
  });
});

describe('axes', () => {
  it.each([
    [0.3, 0.5],
    [1, 1],
    [1.1, 2],
    [2.2, 2.5],
    [3, 5],
    [6, 10],
    [150, 200],
  ])('niceStep(%d) = %d', (v, want) => expect(niceStep(v)).toBe(want));

  it.each([
    // Why: a 24 GiB card should not get a 0..30 axis; percent reads 0/25/50/75/100; watts up to the max limit.
    [0, 24, [0, 25], 6],
    [0, 100, [0, 100], 5],
    [0, 600, [0, 600], 4],
    [0, 10_501, [0, 12_500], 6],
    [0, 0, [0, 1], 5],
  ])('niceAxis(%d, %d)', (lo, hi, domain, ticks) => {
    const a = niceAxis(lo, hi);
    expect(a.domain).toEqual(domain);
    expect(a.ticks).toHaveLength(ticks);
  });

  it('keeps the thermal threshold on the temperature axis', () => {
    const cold = powerSeries([], 0);
    const a = temperatureAxis({ t: cold.t, v: { temp: new Float64Array([40, 45]) } }, 83);
    expect(a.domain[0]).toBeLessThanOrEqual(40);
    expect(a.domain[1]).toBeGreaterThanOrEqual(83);
  });

  it('labels relative time from −window to now', () => {
    expect(timeTicks(60)).toEqual([-60, -45, -30, -15, 0]);
    expect(timeTicks(600)).toEqual([-600, -480, -360, -240, -120, 0]);
  });
});

describe('nearestIndex', () => {
  const ts = new Float64Array([0, 1000, 2000, 3000]);
  it.each([
    [-50, 0],
    [400, 0],
    [600, 1],
    [2999, 3],
    [9999, 3],
  ])('%d → %d', (t, want) => expect(nearestIndex(ts, t)).toBe(want));
  it('is -1 without samples', () => expect(nearestIndex(new Float64Array(0), 5)).toBe(-1));
});

describe('seriesPath', () => {
  // 100 px wide plot for 10 s ending at t=10 000; y 0..100 over 100 px.
  const f: Frame = { x: 0, y: 0, width: 100, height: 100, end: 10_000, windowMs: 10_000, yDomain: [0, 100] };
  const t = new Float64Array([0, 1000, 2000, 3000]);

  it('draws straight segments in plot coordinates', () => {
    expect(seriesPath(t, new Float64Array([0, 50, 100, 50]), f, { gapMs: 3000 })).toBe('M0 100L10 50L20 0L30 50');
  });

  it('breaks at a missing value and at a pause in the stream', () => {
    expect(seriesPath(t, new Float64Array([10, NaN, 30, 40]), f, { gapMs: 3000 })).toBe('M0 90M20 70L30 60');
    expect(seriesPath(new Float64Array([0, 1000, 9000]), new Float64Array([10, 20, 30]), f, { gapMs: 3000 })).toBe(
      'M0 90L10 80M90 70',
    );
  });

  it('steps for limits, drawing only the changes', () => {
    expect(seriesPath(t, new Float64Array([50, 50, 20, 20]), f, { step: true, gapMs: 3000 })).toBe('M0 50H20V80H30');
  });

  it('closes areas down to the axis', () => {
    expect(seriesPath(t.subarray(0, 2), new Float64Array([50, 50]), f, { area: true, gapMs: 3000 })).toBe(
      'M0 100V50L10 50V100H0Z',
    );
  });

  it('keeps each bucket’s lowest and highest sample, in time order', () => {
    const tt = new Float64Array([0, 1000, 2000, 3000, 4000, 5000]);
    const vv = new Float64Array([10, 90, 20, 30, 5, 40]);
    // Buckets of 3 s: [0,1000,2000] → 10 (t0) then 90 (t1); [3000,4000,5000] → 40 (t5) is the max, 5 (t4) the min.
    expect(seriesPath(tt, vv, f, { gapMs: 3000, bucketMs: 3000 })).toBe('M0 90L10 10L40 95L50 60');
  });

  it('sizes buckets to a few pixels, in whole sampling intervals', () => {
    expect(bucketFor({ ...f, width: 330, windowMs: 600_000 }, 1000)).toBe(5000);
    expect(bucketFor({ ...f, width: 330, windowMs: 60_000 }, 1000)).toBe(0);
  });
});
