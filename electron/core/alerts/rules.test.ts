import { describe, expect, it } from 'vitest';
import type { GpuSample, TelemetrySample } from '../../shared/telemetry';
import { AlertRules, type AlertRuleConfig } from './rules';

const g = (over: Partial<GpuSample> = {}): GpuSample => ({
  index: 0,
  name: 'GPU',
  vramUsedMiB: 1000,
  vramTotalMiB: 10000,
  temperatureC: 50,
  powerDrawW: 100,
  powerLimitW: 300,
  powerMinW: 100,
  powerMaxW: 350,
  powerDefaultW: 300,
  utilizationPct: 50,
  smClockMHz: 1000,
  memClockMHz: 5000,
  fanPct: 40,
  ...over,
});
const sample = (ts: number, gpus: GpuSample[]): TelemetrySample => ({
  ts,
  gpus,
  cpuPct: 1,
  ramUsedBytes: 1,
  ramTotalBytes: 2,
  tokensPerSecond: null,
  requestsInFlight: 0,
  modelVramMiB: null,
});
const cfg: AlertRuleConfig = { enabled: true, vramPct: 85, thresholdC: 83, minIntervalMs: 60_000 };
const never = () => false;

function kinds(
  trace: GpuSample[][],
  opts: { cfg?: AlertRuleConfig; expected?: (gpu: number, w: number) => boolean } = {},
) {
  const rules = new AlertRules();
  return trace.flatMap((gpus, i) =>
    rules.evaluate(sample(i * 1000, gpus), opts.cfg ?? cfg, opts.expected ?? never).map((a) => `${i}:${a.kind}`),
  );
}

describe('alert rules', () => {
  it('VRAM above the share fires once, re-arms only 5 points below', () => {
    const trace = [8000, 8600, 9000, 8200, 8600, 7900, 8600].map((used) => [g({ vramUsedMiB: used })]);
    // 8600 > 85 % fires; 8200 (82 %) is not low enough to re-arm; 7900 (79 %) is.
    expect(kinds(trace, { cfg: { ...cfg, minIntervalMs: 0 } })).toEqual(['1:vram-high', '6:vram-high']);
  });

  it('a re-armed condition stays quiet within the minimum interval', () => {
    const trace = [8600, 7000, 8600].map((used) => [g({ vramUsedMiB: used })]);
    expect(kinds(trace)).toEqual(['0:vram-high']);
  });

  it('temperature at the threshold fires, re-arms 3 °C below', () => {
    const trace = [80, 83, 85, 81, 84, 79, 83].map((t) => [g({ temperatureC: t })]);
    expect(kinds(trace, { cfg: { ...cfg, minIntervalMs: 0 } })).toEqual(['1:temperature-high', '6:temperature-high']);
  });

  it('a limit change we did not make is an outside change; ours is not', () => {
    const trace = [300, 300, 250, 250, 200].map((w) => [g({ powerLimitW: w })]);
    expect(kinds(trace)).toEqual(['2:power-limit-external', '4:power-limit-external']);
    expect(kinds(trace, { expected: (_gpu, w) => w === 250 })).toEqual(['4:power-limit-external']);
  });

  it('tracks GPUs separately and says nothing when alerts are off', () => {
    const trace = [
      [g({ index: 0 }), g({ index: 1 })],
      [g({ index: 0, temperatureC: 90 }), g({ index: 1, vramUsedMiB: 9900 })],
    ];
    const rules = new AlertRules();
    const out = trace.flatMap((gpus, i) => rules.evaluate(sample(i, gpus), cfg, never));
    expect(out.map((a) => [a.gpu, a.kind])).toEqual([
      [0, 'temperature-high'],
      [1, 'vram-high'],
    ]);
    expect(out[1]!.params).toEqual({ pct: 99, usedMiB: 9900, totalMiB: 10000, limitPct: 85 });
    expect(kinds(trace, { cfg: { ...cfg, enabled: false } })).toEqual([]);
  });

  it('ignores missing readings', () => {
    expect(
      kinds([
        [g({ vramUsedMiB: null, temperatureC: null, powerLimitW: null })],
        [g({ vramTotalMiB: null, vramUsedMiB: 99999 })],
      ]),
    ).toEqual([]);
  });
});
