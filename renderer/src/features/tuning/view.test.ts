import { describe, expect, it } from 'vitest';
import { defaultLoadOptions } from '@shared/schemas';
import type { ModelProfile, TuneConfig, TuneJob, TuneRow } from '@shared/tuning';
import {
  barValue,
  bestOf,
  compareForChat,
  configCells,
  configKey,
  formatTps,
  formatTpsStd,
  jobFor,
  leader,
  newerTuneJob,
  optionDiffs,
  profileView,
  ratioPercent,
  rowOf,
  sameConfig,
  sortRows,
} from './view';

const cfg = (o: Partial<TuneConfig> = {}): TuneConfig => ({
  threads: 4,
  gpuLayers: 0,
  flashAttention: false,
  batch: 2048,
  ubatch: 512,
  cacheType: 'f16',
  ...o,
});
const row = (config: TuneConfig, tg: number | null, pp: number | null = 100, error = false): TuneRow => ({
  config,
  tgTps: error ? null : tg,
  ppTps: error ? null : pp,
  tgStd: null,
  ppStd: null,
  error: error ? { code: 'TUNE_FAILED', message: 'crashed', params: { reason: 'exit 134' } } : null,
});
const job = (o: Partial<TuneJob> = {}): TuneJob => ({
  id: 'j1',
  modelPath: '/m/a.gguf',
  mode: 'auto',
  state: 'running',
  phase: 'sweep',
  progress: 0,
  etaS: null,
  done: 0,
  total: 6,
  gridSize: 24,
  rows: [],
  best: null,
  appCheck: null,
  saved: false,
  error: null,
  startedAt: 1000,
  finishedAt: null,
  ...o,
});

describe('configCells', () => {
  it.each([
    [999, { kind: 'all' }],
    [1000, { kind: 'all' }],
    [0, { kind: 'none' }],
    [12, { kind: 'layers', n: 12 }],
  ] as const)('gpuLayers %i → %o', (n, kind) => {
    expect(configCells(cfg({ gpuLayers: n })).gpuLayers).toEqual(kind);
  });
  it('batch and ubatch read as one cell; the rest as given', () => {
    expect(configCells(cfg({ threads: 8, batch: 512, ubatch: 128, flashAttention: true, cacheType: 'q8_0' }))).toEqual({
      threads: '8',
      gpuLayers: { kind: 'none' },
      flashAttention: true,
      batch: '512 / 128',
      cacheType: 'q8_0',
    });
  });
  it('configKey tells every field apart, sameConfig compares them all', () => {
    const variants = [
      cfg(),
      cfg({ threads: 8 }),
      cfg({ gpuLayers: 999 }),
      cfg({ flashAttention: true }),
      cfg({ batch: 512 }),
      cfg({ ubatch: 256 }),
      cfg({ cacheType: 'q8_0' }),
    ];
    expect(new Set(variants.map(configKey)).size).toBe(variants.length);
    for (const a of variants) for (const b of variants) expect(sameConfig(a, b)).toBe(a === b);
    expect(sameConfig(cfg(), { ...cfg() })).toBe(true);
    expect(sameConfig(null, cfg())).toBe(false);
  });
});

describe('best for chat: generation first, then prompt', () => {
  const a = row(cfg({ threads: 1 }), 40, 900);
  const b = row(cfg({ threads: 2 }), 42, 500);
  const c = row(cfg({ threads: 3 }), 42, 800);
  const failed = row(cfg({ threads: 4 }), null, null, true);
  const unmeasured = row(cfg({ threads: 5 }), null, 300);

  it('sorts by generation, ties by prompt processing, failures last in the order they ran', () => {
    expect(sortRows([failed, a, unmeasured, b, c]).map((r) => r.config.threads)).toEqual([3, 2, 1, 4, 5]);
    expect(compareForChat(b, c)).toBeGreaterThan(0);
    expect(compareForChat(a, failed)).toBeLessThan(0);
  });
  it("the core's pick heads the table even when another row generated a little faster (within noise)", () => {
    expect(sortRows([a, b, c], b.config).map((r) => r.config.threads)).toEqual([2, 3, 1]);
    expect(sortRows([a, b, c], null).map((r) => r.config.threads)).toEqual([3, 2, 1]);
  });
  it('a missing prompt figure loses a tie', () => {
    const noPp = row(cfg({ threads: 6 }), 42, null);
    expect(sortRows([noPp, b]).map((r) => r.config.threads)).toEqual([2, 6]);
  });
  it('does not reorder the input', () => {
    const rows = [a, b];
    sortRows(rows);
    expect(rows).toEqual([a, b]);
  });
  it('the leader is the first measured row; none when all failed', () => {
    expect(leader([a, c, failed])).toEqual(c.config);
    expect(leader([failed])).toBeNull();
    expect(leader([])).toBeNull();
  });
  it("bestOf: the core's pick once the sweep is over, the leader so far before, never final when not done", () => {
    const rows = [a, c];
    expect(bestOf(job({ rows }))).toEqual({ config: c.config, final: false });
    expect(bestOf(job({ rows, best: a.config }))).toEqual({ config: a.config, final: false });
    expect(bestOf(job({ rows, best: c.config, phase: 'app-check' }))).toEqual({ config: c.config, final: true });
    expect(bestOf(job({ rows, best: c.config, state: 'done', phase: 'finished' }))).toEqual({
      config: c.config,
      final: true,
    });
    expect(bestOf(job({ rows, state: 'cancelled' }))).toEqual({ config: c.config, final: false });
    expect(bestOf(job({ rows: [failed], state: 'failed' }))).toBeNull();
  });
  it('rowOf finds the measured row of a configuration', () => {
    expect(rowOf([a, c], cfg({ threads: 3 }))).toBe(c);
    expect(rowOf([a], cfg({ threads: 9 }))).toBeNull();
    expect(rowOf([a], null)).toBeNull();
  });
});

describe('jobs from fetches and events', () => {
  it('a later job wins over an earlier one, in either order', () => {
    const old = job({ id: 'a', startedAt: 1, state: 'done', phase: 'finished' });
    const cur = job({ id: 'b', startedAt: 2 });
    expect(newerTuneJob(old, cur)).toBe(cur);
    expect(newerTuneJob(cur, old)).toBe(cur);
  });
  it('within one job: finished, then phase, then rows, then saved, then progress', () => {
    const steps = [
      job({ progress: 0.1 }),
      job({ progress: 0.2 }),
      job({ progress: 0.2, rows: [row(cfg(), 10)] }),
      job({ progress: 0.8, phase: 'app-check', rows: [row(cfg(), 10)] }),
      job({ progress: 0.9, phase: 'saving', rows: [row(cfg(), 10)] }),
      job({ progress: 0.9, phase: 'saving', rows: [row(cfg(), 10)], saved: true }),
      job({ progress: 1, phase: 'finished', state: 'done', rows: [row(cfg(), 10)], saved: true }),
    ];
    for (let i = 0; i + 1 < steps.length; i++) {
      expect(newerTuneJob(steps[i], steps[i + 1])).toBe(steps[i + 1]);
      expect(newerTuneJob(steps[i + 1], steps[i])).toBe(steps[i + 1]);
    }
    // A cancel's answer can cross a last progress event: cancelled stays.
    const cancelled = job({ state: 'cancelled', progress: 0.3 });
    expect(newerTuneJob(cancelled, job({ progress: 0.4, rows: [row(cfg(), 1)] }))).toBe(cancelled);
  });
  it('null on either side', () => {
    const j = job();
    expect(newerTuneJob(null, j)).toBe(j);
    expect(newerTuneJob(j, undefined)).toBe(j);
    expect(newerTuneJob(null, null)).toBeNull();
  });
  it("jobFor: this model's job in any state; another model's only while it runs", () => {
    const mine = job({ modelPath: '/m/a.gguf', state: 'done' });
    expect(jobFor(mine, '/m/a.gguf')).toEqual({ kind: 'this', job: mine });
    const other = job({ modelPath: '/m/b.gguf' });
    expect(jobFor(other, '/m/a.gguf')).toEqual({ kind: 'other', job: other });
    expect(jobFor({ ...other, state: 'failed' }, '/m/a.gguf')).toEqual({ kind: 'none' });
    expect(jobFor(null, '/m/a.gguf')).toEqual({ kind: 'none' });
    // Typed as ~/… the path differs from the core's absolute one: the job started here for it is still its own.
    const resolved = job({ id: 'j9', modelPath: '/home/u/m/a.gguf', state: 'done' });
    expect(jobFor(resolved, '~/m/a.gguf', 'j9')).toEqual({ kind: 'this', job: resolved });
    expect(jobFor(resolved, '~/m/a.gguf', 'other-id')).toEqual({ kind: 'none' });
  });
  it('barValue: animated until the first figure, full when done, else the progress', () => {
    expect(barValue(job())).toBeNull();
    expect(barValue(job({ done: 1, progress: 0.2 }))).toBe(0.2);
    expect(barValue(job({ state: 'done', progress: 0.97 }))).toBe(1);
    expect(barValue(job({ state: 'cancelled', progress: 0 }))).toBe(0);
  });
});

describe('figures', () => {
  it.each([
    [41.8, 'en', '41.8'],
    [41.849, 'en', '41.8'],
    [3, 'en', '3.0'],
    [1234.5, 'en', '1,235'],
    [1234.5, 'zh-CN', '1,235'],
  ])('formatTps(%d, %s) = %s', (v, lng, text) => expect(formatTps(v, lng)).toBe(text));
  it('± only for a measured spread; a dash for no figure', () => {
    expect(formatTpsStd(41.8, 0.31, 'en')).toBe('41.8 ± 0.3');
    expect(formatTpsStd(41.8, 0, 'en')).toBe('41.8');
    expect(formatTpsStd(41.8, null, 'en')).toBe('41.8');
    expect(formatTpsStd(null, 1, 'en')).toBe('—');
  });
  it.each([
    [0.994, 99],
    [1.02, 102],
    [0.5, 50],
  ])('ratioPercent(%d) = %i', (r, pct) => expect(ratioPercent(r)).toBe(pct));
});

describe("the model's saved defaults", () => {
  const global = defaultLoadOptions();
  const profile = (options: ModelProfile['options'], source: ModelProfile['source'] = 'tuned'): ModelProfile => ({
    modelPath: '/m/a.gguf',
    modelFingerprint: 'f',
    hardwareFingerprint: 'h',
    source,
    options,
    savedAt: 1,
    tune: null,
  });

  it('lists only what differs from the global options, in the form’s order', () => {
    const diffs = optionDiffs(
      { ubatch: 256, threads: 8, flashAttention: global.flashAttention, gpuLayers: 'all', cacheTypeK: 'q8_0' },
      global,
    );
    expect(diffs.map((d) => d.key)).toEqual(['gpuLayers', 'threads', 'ubatch', 'cacheTypeK']);
    expect(diffs.find((d) => d.key === 'threads')?.value).toBe(8);
  });
  it('compares nested options by value; without the global options lists all', () => {
    expect(optionDiffs({ gpus: { ...global.gpus } }, global)).toEqual([]);
    expect(optionDiffs({ gpus: { ...global.gpus, splitMode: 'row' } }, global).map((d) => d.key)).toEqual(['gpus']);
    expect(optionDiffs({ threads: 0 }, null).map((d) => d.key)).toEqual(['threads']);
  });
  it('profileView: saved, stale (why), or none', () => {
    const p = profile({ threads: 8 }, 'recovered');
    expect(profileView({ profile: p, stale: null }, global)).toEqual({
      kind: 'saved',
      profile: p,
      diffs: [{ key: 'threads', value: 8 }],
    });
    expect(profileView({ profile: null, stale: 'hardware-changed' }, global)).toEqual({
      kind: 'stale',
      why: 'hardware-changed',
    });
    expect(profileView({ profile: null, stale: null }, global)).toEqual({ kind: 'none' });
    expect(profileView(undefined, global)).toEqual({ kind: 'none' });
  });
});
