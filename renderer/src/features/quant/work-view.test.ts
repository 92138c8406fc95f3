import { describe, expect, it } from 'vitest';
import type { WorkJob } from '@shared/quant';
import {
  activeWorkCount,
  canCancelWork,
  canRemoveWork,
  mergeWork,
  removeWork,
  sortWork,
  workFigures,
  workFraction,
  workPercent,
} from './work-view';

const job = (o: Partial<WorkJob> & { id: string }): WorkJob => ({
  kind: 'quantize',
  state: 'queued',
  phase: 'waiting',
  createdAt: 1000,
  updatedAt: 1000,
  startedAt: null,
  finishedAt: null,
  modelPath: '/m/a-f16.gguf',
  modelName: 'a',
  target: 'Q4_K_M',
  after: null,
  done: 0,
  total: 0,
  progress: 0,
  speed: null,
  etaSeconds: null,
  outputPath: null,
  libraryId: null,
  result: null,
  cached: false,
  warnings: [],
  error: null,
  ...o,
});

describe('mergeWork', () => {
  it('keeps the newest snapshot of a job whichever arrives first', () => {
    const old = job({ id: 'a', state: 'running', updatedAt: 2000, progress: 0.5 });
    const older = job({ id: 'a', state: 'running', updatedAt: 1500, progress: 0.2 });
    expect(mergeWork([old], [older])[0]!.progress).toBe(0.5);
    expect(mergeWork([older], [old])[0]!.progress).toBe(0.5);
  });
  it('adds new jobs and, given the listed ids, drops cached jobs the list no longer has', () => {
    const a = job({ id: 'a' });
    const b = job({ id: 'b' });
    expect(
      mergeWork([a], [b])
        .map((j) => j.id)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(mergeWork([a, b], [b], new Set(['b'])).map((j) => j.id)).toEqual(['b']);
  });
  it('a fresh event newer than the list survives the list merge', () => {
    const fromEvent = job({ id: 'a', state: 'completed', updatedAt: 3000 });
    const fromList = job({ id: 'a', state: 'running', updatedAt: 2000 });
    expect(mergeWork([fromEvent], [fromList], new Set(['a']))[0]!.state).toBe('completed');
  });
  it('within the same millisecond an ended job is not revived by a running snapshot', () => {
    const ended = job({ id: 'a', state: 'cancelled', updatedAt: 3000 });
    const running = job({ id: 'a', state: 'running', updatedAt: 3000, progress: 0.4 });
    expect(mergeWork([ended], [running], new Set(['a']))[0]!.state).toBe('cancelled');
    expect(mergeWork([running], [ended])[0]!.state).toBe('cancelled');
    const p1 = job({ id: 'a', state: 'running', updatedAt: 3000, progress: 0.6 });
    expect(mergeWork([running], [p1])[0]!.progress).toBe(0.6);
  });
  it('removeWork drops one id, and tolerates no cache', () => {
    expect(removeWork([job({ id: 'a' }), job({ id: 'b' })], 'a').map((j) => j.id)).toEqual(['b']);
    expect(removeWork(undefined, 'a')).toEqual([]);
  });
});

describe('sortWork', () => {
  it('running, then queued oldest first (run order), then finished newest first', () => {
    const jobs = [
      job({ id: 'done-old', state: 'completed', finishedAt: 10 }),
      job({ id: 'q2', state: 'queued', createdAt: 20 }),
      job({ id: 'run', state: 'running' }),
      job({ id: 'q1', state: 'queued', createdAt: 10 }),
      job({ id: 'failed-new', state: 'failed', finishedAt: 30 }),
    ];
    expect(sortWork(jobs).map((j) => j.id)).toEqual(['run', 'q1', 'q2', 'failed-new', 'done-old']);
  });
});

describe('actions and figures', () => {
  it.each([
    ['queued', true, false],
    ['running', true, false],
    ['completed', false, true],
    ['failed', false, true],
    ['cancelled', false, true],
    ['interrupted', false, true],
  ] as const)('%s: cancel %s, remove %s', (state, cancel, remove) => {
    expect(canCancelWork(job({ id: 'a', state }))).toBe(cancel);
    expect(canRemoveWork(job({ id: 'a', state }))).toBe(remove);
  });

  it('counts queued and running jobs', () => {
    const list = [job({ id: 'a', state: 'running' }), job({ id: 'b' }), job({ id: 'c', state: 'failed' })];
    expect(activeWorkCount(list)).toBe(2);
    expect(activeWorkCount(undefined)).toBe(0);
  });

  it('the bar: indeterminate while a phase has no count yet, full only when completed, never 100 % before', () => {
    expect(workFraction(job({ id: 'a', state: 'running', phase: 'checking' }))).toBeNull();
    expect(workFraction(job({ id: 'a', state: 'running', total: 10, done: 5, progress: 0.5 }))).toBe(0.5);
    expect(workFraction(job({ id: 'a', state: 'completed', progress: 0.7 }))).toBe(1);
    expect(workPercent(job({ id: 'a', state: 'running', progress: 0.999 }))).toBe(99);
    expect(workPercent(job({ id: 'a', state: 'completed', progress: 1 }))).toBe(100);
  });

  it('figures while running: units done, speed (one decimal below 10), ETA or "unknown"', () => {
    const running = job({
      id: 'a',
      state: 'running',
      phase: 'quantize',
      done: 12,
      total: 40,
      progress: 0.3,
      speed: { value: 3.456, unit: 'tensors' },
      etaSeconds: 8,
    });
    expect(workFigures(running)).toEqual({
      count: { done: 12, total: 40, unit: 'tensors' },
      speed: { value: 3.456, digits: 1, unit: 'tensors' },
      eta: 8,
    });
    const noEta = workFigures({ ...running, etaSeconds: null, speed: { value: 25, unit: 'chunks' } });
    expect(noEta.eta).toBe('unknown');
    expect(noEta.speed).toEqual({ value: 25, digits: 0, unit: 'chunks' });
    expect(workFigures({ ...running, speed: { value: 0, unit: 'tensors' } }).speed).toBeNull();
  });

  it('no count, speed or ETA once the job is over', () => {
    const done = job({
      id: 'a',
      state: 'completed',
      done: 40,
      total: 40,
      speed: { value: 3, unit: 'tensors' },
      etaSeconds: 0,
    });
    expect(workFigures(done)).toEqual({ count: null, speed: null, eta: null });
  });
});
