/**
 * The job's bookkeeping with figures handed in (the real llama-bench runs in tune.int.test.ts): progress only goes
 * up, the ETA comes from the time configurations took, an auto sweep that converges early shrinks its total, one
 * job at a time, cancel saves nothing, a failing app check or save fails the job with nothing claimed as saved.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { TuneConfig, TuneJob } from '../../shared/tuning';
import type { GridSpace } from './grid';
import { TuneJobs, type TunePlan } from './job';

const space: GridSpace = {
  gpuLayers: [0],
  threads: [4, 8],
  attention: [
    { flashAttention: true, cacheType: 'f16' },
    { flashAttention: false, cacheType: 'f16' },
  ],
  batching: [
    { batch: 2048, ubatch: 512 },
    { batch: 512, ubatch: 512 },
  ],
};

function plan(
  over: Partial<TunePlan> = {},
  tg = (c: TuneConfig) => (c.threads === 8 ? 20 : 10),
): TunePlan & { saved: number } {
  const p = {
    saved: 0,
    modelPath: '/m.gguf',
    mode: 'exhaustive' as const,
    space,
    measure: async (config: TuneConfig) => ({
      row: { config, tgTps: tg(config), ppTps: config.batch, tgStd: null, ppStd: null, error: null },
      durationMs: 2000,
      aborted: false,
    }),
    appCheck: async () => ({ appTgTps: 19 }),
    save: async () => {
      p.saved++;
    },
    ...over,
  };
  return p;
}

function jobs() {
  const seen: TuneJob[] = [];
  return { seen, jobs: new TuneJobs({ emit: (j) => seen.push(j), now: () => 1000 }) };
}

describe('TuneJobs', () => {
  it('exhaustive: every configuration, progress up to 1, ETA from the time taken, the pick checked and saved', async () => {
    const { seen, jobs: j } = jobs();
    const p = plan();
    expect(j.start(p)).toMatchObject({ state: 'running', total: 8, gridSize: 8, done: 0, etaS: null });
    const end = (await j.settled())!;
    expect(end).toMatchObject({ state: 'done', phase: 'finished', progress: 1, done: 8, saved: true });
    expect(end.best).toEqual({
      threads: 8,
      gpuLayers: 0,
      flashAttention: true,
      cacheType: 'f16',
      batch: 2048,
      ubatch: 512,
    });
    expect(end.appCheck).toEqual({ appTgTps: 19, benchTgTps: 20, ratio: 0.95 });
    expect(p.saved).toBe(1);
    const progress = seen.map((x) => x.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // After the first row: 7 left + the app check, 2 s each.
    expect(seen.find((x) => x.done === 1)!.etaS).toBe(16);
  });

  it('auto: measures at most a quarter of the grid; total ends at what it measured', async () => {
    const { jobs: j } = jobs();
    const first = j.start(plan({ mode: 'auto' }));
    expect(first.total).toBe(2);
    const end = (await j.settled())!;
    expect(end.rows.length).toBeLessThanOrEqual(2);
    expect(end.total).toBe(end.rows.length);
  });

  it('one job at a time', async () => {
    const { jobs: j } = jobs();
    j.start(plan());
    expect(() => j.start(plan())).toThrow(AppError);
    await j.settled();
    expect(() => j.start(plan())).not.toThrow();
    await j.settled();
  });

  it('cancel mid-sweep: cancelled, no app check, nothing saved', async () => {
    const { jobs: j } = jobs();
    let checks = 0;
    const p = plan({
      measure: (config, signal) =>
        new Promise((resolve) => {
          const stop = () =>
            resolve({
              row: { config, tgTps: null, ppTps: null, tgStd: null, ppStd: null, error: null },
              durationMs: 1,
              aborted: true,
            });
          if (signal.aborted) stop();
          else signal.addEventListener('abort', stop);
        }),
      appCheck: async () => {
        checks++;
        return { appTgTps: 1 };
      },
    });
    j.start(p);
    const end = await j.cancel();
    expect(end).toMatchObject({ state: 'cancelled', phase: 'finished', saved: false, rows: [] });
    expect(checks).toBe(0);
    expect(p.saved).toBe(0);
  });

  it('an app check that fails fails the job, nothing saved', async () => {
    const { jobs: j } = jobs();
    const p = plan({
      appCheck: async () => {
        throw new AppError('BACKEND_OOM', {});
      },
    });
    j.start(p);
    expect(await j.settled()).toMatchObject({ state: 'failed', saved: false, error: { code: 'BACKEND_OOM' } });
    expect(p.saved).toBe(0);
  });

  it('every row failing: TUNE_FAILED naming the first reason', async () => {
    const { jobs: j } = jobs();
    const p = plan({
      measure: async (config) => ({
        row: {
          config,
          tgTps: null,
          ppTps: null,
          tgStd: null,
          ppStd: null,
          error: { code: 'TUNE_FAILED', message: 'boom' },
        },
        durationMs: 1,
        aborted: false,
      }),
    });
    j.start(p);
    const end = (await j.settled())!;
    expect(end).toMatchObject({
      state: 'failed',
      saved: false,
      error: { code: 'TUNE_FAILED', params: { reason: 'boom' } },
    });
    expect(end.rows).toHaveLength(8);
  });
});
