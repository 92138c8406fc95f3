import { describe, expect, it } from 'vitest';
import type { TelemetrySample } from '@shared/telemetry';
import { kvSeries, lastOf, reportsKv, valueAt } from './series';

const sample = (ts: number, over: Partial<TelemetrySample> = {}): TelemetrySample => ({
  ts,
  gpus: [],
  cpuPct: 5,
  ramUsedBytes: null,
  ramTotalBytes: null,
  tokensPerSecond: 0,
  requestsInFlight: 0,
  modelVramMiB: null,
  ...over,
});

describe('kvSeries', () => {
  it('turns vLLM’s 0..1 KV-cache use into % and keeps waiting requests; NaN where not reported', () => {
    const c = kvSeries([
      sample(1000, { kvCacheUsage: 0.25, requestsWaiting: 2 }),
      sample(2000),
      sample(3000, { kvCacheUsage: null, requestsWaiting: 0 }),
      sample(4000, { kvCacheUsage: 1, requestsWaiting: 7 }),
    ]);
    expect([...c.t]).toEqual([1000, 2000, 3000, 4000]);
    expect([0, 1, 2, 3].map((i) => valueAt(c.v.kv, i))).toEqual([25, null, null, 100]);
    expect([0, 1, 2, 3].map((i) => valueAt(c.v.waiting, i))).toEqual([2, null, 0, 7]);
    expect(lastOf(c, 'kv')).toBe(100);
    expect(lastOf(c, 'waiting')).toBe(7);
  });
});

describe('reportsKv', () => {
  it.each([
    ['no samples', [], false],
    ['llama.cpp: never reported', [sample(1), sample(2, { requestsWaiting: 1 })], false],
    ['reported as null', [sample(1, { kvCacheUsage: null })], false],
    ['vLLM now', [sample(1), sample(2, { kvCacheUsage: 0 })], true],
    ['vLLM earlier in the window', [sample(1, { kvCacheUsage: 0.5 }), sample(2)], true],
  ] as const)('%s', (_n, samples, want) => {
    expect(reportsKv(samples)).toBe(want);
  });
});
