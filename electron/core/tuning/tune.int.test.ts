/**
 * Auto-tune end to end with the real llama-bench and llama-server (CPU build) on the synthetic tiny model, through
 * the contract handlers of a real core: a small grid completes, is checked through the app's chat path and saved
 * (and the next start applies it); cancel mid-sweep saves nothing; a configuration llama-bench refuses (a q8_0 KV
 * cache on the tiny model's 16-wide heads) and one whose process is SIGKILLed become error rows while the job still
 * ends; a grid where every configuration fails is TUNE_FAILED; a profile whose model file changed is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { TuneConfig, TuneJob } from '../../shared/tuning';
import { createCore, type Core } from '../app';
import type { TuningOptions } from '../compose/tuning';
import { pathWithoutGpuTools, tmpDir } from '../../test/helpers';
import { PROFILES_FILE } from '../models/profiles';
import type { GridSpace } from './grid';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const llamaServer = inject('llamaServer');
const direct = { transport: 'direct' as const };
const tmp = tmpDir('dl-tune-int-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const F16_ON = { flashAttention: true, cacheType: 'f16' } as const;
const F16_OFF = { flashAttention: false, cacheType: 'f16' } as const;
const Q8_ON = { flashAttention: true, cacheType: 'q8_0' } as const;
const grid =
  (attention: GridSpace['attention'], threads = [1]): TuningOptions['space'] =>
  () => ({
    gpuLayers: [0],
    threads,
    attention,
    batching: [{ batch: 512, ubatch: 512 }],
  });

let core: Core | null = null;
let dataDir = '';
afterEach(async () => {
  await core?.dispose();
  core = null;
});

async function open(tuning: TuningOptions, env: NodeJS.ProcessEnv = {}): Promise<Core> {
  dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    env: { ...process.env, PATH: pathWithoutGpuTools(), ...env },
    tuning: { benchSize: { promptTokens: 16, genTokens: 8, repetitions: 1 }, appCheckTokens: 32, ...tuning },
  });
  return core;
}

const events = (c: Core) => {
  const seen: TuneJob[] = [];
  c.bus.on('tune.progress', (j) => seen.push(j));
  return seen;
};

describe('tune (real llama-bench)', () => {
  it('sweeps a two-point grid, checks the pick through the app chat path, saves it, and the next start applies it', async () => {
    const c = await open({ space: grid([F16_ON, F16_OFF]) });
    // The user's own defaults: the profile must change only what it tuned (a profile of zod-filled defaults reset these).
    const prior = await c.settings.get();
    await c.settings.update({ loadOptions: { ...prior.loadOptions, contextSize: 1536, reasoningFormat: 'none' } });
    const seen = events(c);
    const first = await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    expect(first).toMatchObject({ state: 'running', phase: 'sweep', total: 2, gridSize: 2, done: 0 });
    const job = (await c.tuning.jobs.settled())!;
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ state: 'done', phase: 'finished', progress: 1, done: 2, saved: true });
    expect(job.rows.every((r) => r.error === null && r.tgTps! > 0 && r.ppTps! > 0)).toBe(true);
    expect(job.appCheck!.appTgTps).toBeGreaterThan(0);
    expect(job.appCheck!.ratio).toBeCloseTo(job.appCheck!.appTgTps / job.appCheck!.benchTgTps, 6);
    // Progress went up step by step, with an ETA once a configuration was timed.
    const progress = seen.map((j) => j.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(seen.some((j) => j.done === 1 && j.etaS !== null)).toBe(true);
    expect(seen.map((j) => j.phase)).toEqual(expect.arrayContaining(['sweep', 'app-check', 'saving', 'finished']));

    const answer = await c.handlers['profiles.get']({ modelPath: tinyModel }, direct);
    expect(answer.stale).toBeNull();
    expect(answer.profile).toMatchObject({ source: 'tuned', options: { threads: 1, gpuLayers: 0, batch: 512 } });
    expect(answer.profile!.tune!.best).toEqual(job.best);

    // A start without options runs the profile's; an explicit option still wins over it.
    await c.handlers['backend.stop']({}, direct);
    const s1 = await c.handlers['backend.start']({ modelPath: tinyModel }, direct);
    expect(s1.options).toMatchObject({
      threads: 1,
      gpuLayers: 0,
      ubatch: 512,
      contextSize: 1536,
      reasoningFormat: 'none',
    });
    expect(Object.keys(answer.profile!.options).sort()).toEqual(
      ['batch', 'cacheTypeK', 'cacheTypeV', 'flashAttention', 'gpuLayers', 'threads', 'ubatch'].sort(),
    );
    await c.backend.waitReady();
    const s2 = await c.handlers['backend.start']({ modelPath: tinyModel, options: { threads: 2 } }, direct);
    expect(s2.options).toMatchObject({ threads: 2, gpuLayers: 0, ubatch: 512 });
  });

  it('cancel mid-sweep ends the job as cancelled and saves nothing; a second start meanwhile is TUNE_BUSY', async () => {
    let cancelled: Promise<TuneJob | null> | null = null;
    const c: Core = await open({
      space: grid([F16_ON, F16_OFF], [1, 2]),
      onBenchChild: () => {
        cancelled ??= c.handlers['tune.cancel']({}, direct);
      },
    });
    await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    await expect(c.handlers['tune.start']({ modelPath: tinyModel }, direct)).rejects.toMatchObject({
      code: 'TUNE_BUSY',
    });
    const job = (await c.tuning.jobs.settled())!;
    expect(cancelled).not.toBeNull();
    expect(await cancelled).toMatchObject({ state: 'cancelled' });
    expect(job).toMatchObject({ state: 'cancelled', phase: 'finished', saved: false, appCheck: null, done: 0 });
    expect(fs.existsSync(path.join(dataDir, PROFILES_FILE))).toBe(false);
    expect((await c.handlers['profiles.get']({ modelPath: tinyModel }, direct)).profile).toBeNull();
    // The machine is free again: a new job may start.
    await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    await c.handlers['tune.cancel']({}, direct);
  });

  it('cancel during the app check: cancelled, nothing saved, the load it began stopped', async () => {
    const c = await open({ space: grid([F16_ON]) });
    let cancelled: Promise<TuneJob | null> | null = null;
    // Once the app check's load has begun (the sweep stopped any backend before).
    c.backend.onStatus((s) => {
      if (s.state !== 'stopped' && c.tuning.jobs.status()?.phase === 'app-check')
        cancelled ??= c.handlers['tune.cancel']({}, direct);
    });
    await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    const job = (await c.tuning.jobs.settled())!;
    expect(cancelled).not.toBeNull();
    expect(job).toMatchObject({ state: 'cancelled', saved: false, appCheck: null, done: 1 });
    expect(fs.existsSync(path.join(dataDir, PROFILES_FILE))).toBe(false);
    expect(c.backend.status().state).toBe('stopped');
  });

  it('a refused configuration and a llama-bench killed mid-sweep become error rows; the job still ends and saves', async () => {
    const started: TuneConfig[] = [];
    const c: Core = await open({
      space: grid([F16_ON, F16_OFF, Q8_ON]),
      onBenchChild: (pid, config) => {
        started.push(config);
        if (!config.flashAttention) process.kill(pid, 'SIGKILL');
      },
    });
    await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    const job = (await c.tuning.jobs.settled())!;
    expect(started).toHaveLength(3);
    expect(job.state).toBe('done');
    const [ok, killed, refused] = job.rows;
    expect(ok!.error).toBeNull();
    expect(killed!.error).toMatchObject({
      code: 'TUNE_FAILED',
      params: { reason: expect.stringContaining('SIGKILL') },
    });
    expect(refused!.error).toMatchObject({
      code: 'TUNE_FAILED',
      params: { reason: expect.stringMatching(/failed to create context/) },
    });
    expect(job.best).toEqual(ok!.config);
    expect(job.saved).toBe(true);
  });

  it('every configuration failing is TUNE_FAILED, with nothing saved', async () => {
    const c = await open({ space: grid([Q8_ON]) });
    await c.handlers['tune.start']({ modelPath: tinyModel, mode: 'exhaustive' }, direct);
    const job = (await c.tuning.jobs.settled())!;
    expect(job).toMatchObject({ state: 'failed', saved: false, error: { code: 'TUNE_FAILED' } });
    expect(fs.existsSync(path.join(dataDir, PROFILES_FILE))).toBe(false);
  });

  it('no llama-bench beside the active llama-server is TUNE_BENCH_MISSING, before anything runs', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'bin-'));
    fs.symlinkSync(llamaServer, path.join(dir, 'llama-server'));
    const c = await open({}, { DEEPLOCAL_LLAMA_SERVER: path.join(dir, 'llama-server') });
    const e = await c.handlers['tune.start']({ modelPath: tinyModel }, direct).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'TUNE_BENCH_MISSING', params: { path: path.join(dir, 'llama-bench') } });
    expect(await c.handlers['tune.status']({}, direct)).toBeNull();
  });

  it('a saved profile whose model file changed is stale: ignored at start, re-tune offered', async () => {
    const c = await open({});
    const copy = path.join(tmp, 'changing.gguf');
    fs.copyFileSync(tinyModel, copy);
    const saved = await c.handlers['profiles.save'](
      { modelPath: copy, options: { threads: 1, contextSize: 1024 }, source: 'user' },
      direct,
    );
    expect(saved).toMatchObject({ source: 'user', options: { threads: 1, contextSize: 1024 }, tune: null });
    expect(await c.handlers['profiles.get']({ modelPath: copy }, direct)).toMatchObject({
      stale: null,
      profile: { source: 'user' },
    });
    fs.appendFileSync(copy, Buffer.alloc(64));
    expect(await c.handlers['profiles.get']({ modelPath: copy }, direct)).toEqual({
      profile: null,
      stale: 'model-changed',
    });
    const s = await c.handlers['backend.start']({ modelPath: copy }, direct);
    expect(s.options!.contextSize).not.toBe(1024);
    await c.handlers['backend.stop']({}, direct);
    expect(await c.handlers['profiles.clear']({ modelPath: copy }, direct)).toEqual({ cleared: true });
    expect(await c.handlers['profiles.clear']({ modelPath: copy }, direct)).toEqual({ cleared: false });
  });
});
