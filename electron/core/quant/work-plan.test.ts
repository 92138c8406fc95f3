import { describe, expect, it } from 'vitest';
import type { WorkJob } from '../../shared/quant';
import {
  addSample,
  etaOf,
  nextStep,
  overallProgress,
  phasePlan,
  restoreJob,
  snapshotDelay,
  speedOf,
  unitOf,
} from './work-plan';

const job = (id: string, state: WorkJob['state'], createdAt: number, after: string | null = null): WorkJob => ({
  id,
  kind: 'quantize',
  state,
  phase: 'waiting',
  createdAt,
  updatedAt: createdAt,
  startedAt: null,
  finishedAt: null,
  modelPath: '/m/a.gguf',
  modelName: 'a',
  target: 'Q4_K_M',
  after,
  done: 0,
  total: 0,
  progress: 0,
  speed: { value: 3, unit: 'tensors' },
  etaSeconds: 9,
  outputPath: null,
  libraryId: null,
  result: null,
  cached: false,
  warnings: [],
  error: state === 'failed' ? { code: 'IMATRIX_FAILED', message: 'boom', params: { reason: 'boom' } } : null,
});

describe('nextStep', () => {
  it.each([
    ['nothing queued', [job('a', 'completed', 1)], null],
    ['first queued first', [job('b', 'queued', 2), job('a', 'queued', 1)], { kind: 'run', id: 'a' }],
    ['same time: list order', [job('b', 'queued', 1), job('a', 'queued', 1)], { kind: 'run', id: 'b' }],
    ['one at a time', [job('a', 'running', 1), job('b', 'queued', 2)], null],
    ['waits for its dependency', [job('q', 'queued', 1, 'i'), job('i', 'queued', 2)], { kind: 'run', id: 'i' }],
    ['runs after it completed', [job('i', 'completed', 1), job('q', 'queued', 2, 'i')], { kind: 'run', id: 'q' }],
    [
      'fails with its error',
      [job('i', 'failed', 1), job('q', 'queued', 2, 'i')],
      { kind: 'fail', id: 'q', error: { code: 'IMATRIX_FAILED', message: 'boom', params: { reason: 'boom' } } },
    ],
    [
      'cancelled dependency cancels',
      [job('i', 'cancelled', 1), job('q', 'queued', 2, 'i')],
      { kind: 'cancel', id: 'q' },
    ],
    [
      'interrupted dependency cancels',
      [job('i', 'interrupted', 1), job('q', 'queued', 2, 'i')],
      { kind: 'cancel', id: 'q' },
    ],
    ['removed dependency no longer holds', [job('q', 'queued', 2, 'gone')], { kind: 'run', id: 'q' }],
    [
      'a waiting job does not block the next',
      [job('x', 'queued', 1, 'y'), job('y', 'queued', 3), job('z', 'queued', 2)],
      { kind: 'run', id: 'z' },
    ],
  ] as const)('%s', (_, jobs, want) => {
    expect(nextStep(jobs as unknown as WorkJob[])).toEqual(want);
  });

  it('skips a job whose dependency still waits', () => {
    const jobs = [job('q', 'queued', 1, 'i'), job('i', 'queued', 3, 'j'), job('j', 'queued', 2)];
    expect(nextStep(jobs)).toEqual({ kind: 'run', id: 'j' });
  });
});

describe('phasePlan / overallProgress', () => {
  it.each([
    ['quantize', {}],
    ['imatrix', {}],
    ['quality', {}],
    ['quality', { kld: true }],
  ] as const)('%s %j shares sum to 1', (kind, o) => {
    const sum = phasePlan(kind, o).reduce((s, [, w]) => s + w, 0);
    expect(sum).toBeCloseTo(1, 9);
  });

  const q = phasePlan('quantize');
  it.each([
    ['start of hashing', 'hashing', 0, 10, 0, 0],
    ['start of quantize', 'quantize', 0, 10, 0, 0.05],
    ['half of quantize', 'quantize', 5, 10, 0, 0.475],
    ['installing half', 'installing', 1, 2, 0.9, 0.95],
    ['unknown total', 'quantize', 3, 0, 0, 0.05],
    ['done past total is capped', 'quantize', 20, 10, 0, 0.9],
    ['never goes back', 'quantize', 1, 10, 0.5, 0.5],
    ['a phase not in the plan keeps it', 'kld', 1, 2, 0.3, 0.3],
    ['finished is 1', 'finished', 0, 0, 0.2, 1],
  ] as const)('%s', (_, phase, done, total, prev, want) => {
    expect(overallProgress(q, phase, done, total, prev)).toBeCloseTo(want, 9);
  });
});

describe('speed and ETA', () => {
  it('nothing before the window spans 400 ms', () => {
    const s = addSample([{ t: 0, done: 0, progress: 0 }], { t: 300, done: 3, progress: 0.1 });
    expect(speedOf(s)).toBeNull();
    expect(etaOf(s)).toBeNull();
  });
  it('units per second and seconds left over the window', () => {
    let s = addSample([], { t: 0, done: 0, progress: 0 });
    s = addSample(s, { t: 1000, done: 10, progress: 0.1 });
    s = addSample(s, { t: 2000, done: 20, progress: 0.2 });
    expect(speedOf(s)).toBe(10);
    expect(etaOf(s)).toBe(8);
  });
  it('keeps only the recent window (plus the sample before it)', () => {
    let s = addSample([], { t: 0, done: 0, progress: 0 });
    s = addSample(s, { t: 1000, done: 100, progress: 0.5 });
    s = addSample(s, { t: 7000, done: 106, progress: 0.56 });
    s = addSample(s, { t: 8000, done: 110, progress: 0.6 });
    expect(s.map((x) => x.t)).toEqual([1000, 7000, 8000]);
    expect(speedOf(s)).toBeCloseTo(10 / 7, 9);
  });
  it('no ETA while progress stands still', () => {
    const s = addSample([{ t: 0, done: 5, progress: 0.3 }], { t: 2000, done: 5, progress: 0.3 });
    expect(speedOf(s)).toBe(0);
    expect(etaOf(s)).toBeNull();
  });
});

describe('snapshotDelay', () => {
  it.each([
    ['state change at once', 100, 90, true, 0],
    ['throttled', 100, 0, false, 150],
    ['after 250 ms at once', 400, 100, false, 0],
  ] as const)('%s', (_, now, last, change, want) => {
    expect(snapshotDelay(now, last, change)).toBe(want);
  });
});

describe('restoreJob', () => {
  it.each(['queued', 'running'] as const)('%s becomes interrupted', (state) => {
    const r = restoreJob(job('a', state, 1), 50);
    expect(r).toMatchObject({ state: 'interrupted', finishedAt: 50, speed: null, etaSeconds: null });
  });
  it.each(['completed', 'failed', 'cancelled', 'interrupted'] as const)('%s stays', (state) => {
    expect(restoreJob(job('a', state, 1), 50).state).toBe(state);
  });
});

it('unitOf', () => {
  expect([unitOf('quantize'), unitOf('hashing'), unitOf('perplexity'), unitOf('imatrix')]).toEqual([
    'tensors',
    'bytes',
    'chunks',
    'chunks',
  ]);
});
