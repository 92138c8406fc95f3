/**
 * Auto-tune and model profiles as contract handlers: tune.start/status/cancel (llama-bench beside the active
 * runtime's llama-server, the grid from the hardware probe, the app check through the app's own chat path) and
 * profiles.get/save/clear, plus the start step that merges a model's valid profile under the caller's explicit
 * options.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EventBus, Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { LoadOptions, patchOf, type ChatEvent, type ModelFileInfo } from '../../shared/schemas';
import type { HardwareReport } from '../../shared/telemetry';
import type { ModelProfile, TuneConfig, TuneRow } from '../../shared/tuning';
import type { Backend } from '../backends/backend';
import type { ChatService } from '../chat/chat-service';
import { hardwareFingerprint, hardwareIdentity, modelFingerprint } from '../models/fingerprint';
import { readGgufFile } from '../models/gguf';
import { inspectModel } from '../models/inspect';
import { judgeProfile, ProfileStore, type Fingerprints } from '../models/profiles';
import type { SettingsStore } from '../settings/store';
import { ALL_LAYERS, DEFAULT_BENCH_SIZE, type BenchSize } from '../tuning/bench-args';
import { gridSpace, type GridSpace } from '../tuning/grid';
import { TuneJobs } from '../tuning/job';
import { locateBench, runBenchConfig } from '../tuning/runner';
import { expandHome } from '../util/safe-path';
import { runStartSteps, type StartStep } from './start-steps';

type TuningHandlers = Pick<
  Handlers,
  'tune.start' | 'tune.status' | 'tune.cancel' | 'profiles.get' | 'profiles.save' | 'profiles.clear'
>;

export interface TuningOptions {
  /** Narrows the machine's grid (tests: a 2–4 point grid). */
  space?: (machine: GridSpace) => GridSpace;
  benchSize?: BenchSize;
  benchTimeoutMs?: number;
  /** Each llama-bench process as it starts (tests kill one to play a crash). */
  onBenchChild?: (pid: number, config: TuneConfig) => void;
  /** Tokens the app check generates. */
  appCheckTokens?: number;
}

export interface TuningDeps {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  backend: Backend;
  chat: ChatService;
  settings: SettingsStore;
  /** backend.start's steps: the app check loads through them, and the profile step is added to them. */
  startSteps: StartStep[];
  probeHardware: () => Promise<HardwareReport>;
  activeServer: () => Promise<{ found: boolean; path: string }>;
  log: (msg: string) => void;
  options?: TuningOptions;
}

export interface TuningFeature {
  handlers: TuningHandlers;
  jobs: TuneJobs;
  profiles: ProfileStore;
  /** The start step (already added to startSteps). */
  profileStep: StartStep;
}

/** The load options a tuned configuration stands for (what a profile saves). Pure. */
export function optionsOfConfig(c: TuneConfig): Partial<LoadOptions> {
  return {
    threads: c.threads,
    gpuLayers: c.gpuLayers >= ALL_LAYERS ? 'all' : c.gpuLayers,
    flashAttention: c.flashAttention ? 'on' : 'off',
    batch: c.batch,
    ubatch: c.ubatch,
    cacheTypeK: c.cacheType,
    cacheTypeV: c.cacheType,
  };
}

/**
 * Layers that fit the GPUs' free memory (90 %, weights spread evenly over the layers plus one for the embeddings
 * and output), or null when all fit or it is unknown. Pure.
 */
export function fitLayersEstimate(sizeBytes: number, blockCount: number | null, freeMiB: number | null): number | null {
  if (!blockCount || freeMiB === null) return null;
  const perLayer = sizeBytes / (blockCount + 1);
  const fit = Math.floor((freeMiB * 1024 * 1024 * 0.9) / perLayer) - 1;
  return fit >= blockCount ? null : Math.max(0, fit);
}

export function createTuning(d: TuningDeps): TuningFeature {
  const profiles = new ProfileStore(d.dataDir, d.log);
  const jobs = new TuneJobs({ emit: (j) => d.bus.emit('tune.progress', j), log: d.log });
  const opts = d.options ?? {};

  const fingerprints = async (modelPath: string): Promise<Fingerprints> => {
    const report = await d.probeHardware();
    return {
      model: await modelFingerprint(modelPath),
      hardware: hardwareFingerprint(hardwareIdentity(report, report.runtime?.id ?? null)),
    };
  };

  const answer = async (modelPath: string) => {
    const saved = await profiles.read(modelPath);
    if (!saved) return { profile: null, stale: null };
    return judgeProfile(saved, await fingerprints(modelPath));
  };

  const machineSpace = async (model: ModelFileInfo): Promise<GridSpace> => {
    const report = await d.probeHardware();
    const gpus = report.backendDevices.filter((x) => !/^cpu/i.test(x.name));
    let blockCount: number | null = null;
    try {
      const h = await readGgufFile(model.path);
      const n = h.metadata.get(`${model.architecture}.block_count`);
      blockCount = typeof n === 'number' ? n : null;
    } catch {
      /* inspectModel read it already; a second read failing only loses the estimate */
    }
    const freeMiB = gpus.length ? gpus.reduce((s, g) => s + (g.freeMiB ?? g.totalMiB ?? 0), 0) : null;
    return gridSpace({
      cores: report.cpu.cores,
      threads: report.cpu.threads,
      gpu: gpus.length > 0,
      blockCount,
      fitLayers: fitLayersEstimate(model.sizeBytes, blockCount, freeMiB),
    });
  };

  /** Loads the model with `config` (not remembered as the global options) and streams one real reply. */
  const appCheck = async (model: ModelFileInfo, config: TuneConfig, signal: AbortSignal) => {
    const s = await d.settings.get();
    const explicit = optionsOfConfig(config);
    const merged = LoadOptions.parse({ ...s.loadOptions, ...explicit });
    const run = await runStartSteps(d.startSteps, { model, options: merged, explicit });
    try {
      await d.backend.start({ model, options: run });
      await abortable(d.backend.waitReady(), signal);
      return { appTgTps: await oneReply(d, opts.appCheckTokens ?? 128, signal) };
    } catch (e) {
      // Cancelled while loading or replying: the load the check began is not left behind.
      if (signal.aborted) await d.backend.stop().catch(() => undefined);
      throw e;
    }
  };

  const profileStep: StartStep = async ({ model, options, explicit }) => {
    try {
      const a = await answer(model.path);
      if (a.stale) d.log(`model profile for ${model.path} not used: ${a.stale} since it was saved (re-tune offered)`);
      if (!a.profile) return options;
      d.log(`model profile (${a.profile.source}) applied: ${JSON.stringify(a.profile.options)}`);
      return LoadOptions.parse({ ...options, ...a.profile.options, ...explicit });
    } catch (e) {
      // A profile is a speed-up, never a reason a start fails.
      d.log(`model profile for ${model.path} not read: ${(e as Error).message}`);
      return options;
    }
  };
  d.startSteps.unshift(profileStep);

  const handlers: TuningHandlers = {
    'tune.start': async ({ modelPath, mode }) => {
      if (jobs.status()?.state === 'running') throw new AppError('TUNE_BUSY');
      const model = await inspectModel(expandHome(modelPath));
      const server = await d.activeServer();
      const bench = locateBench(server.path);
      const machine = await machineSpace(model);
      const space = opts.space ? opts.space(machine) : machine;
      // The sweep needs the machine to itself: a loaded model would share its cores and GPU memory.
      if (!['stopped', 'crashed'].includes(d.backend.status().state)) await d.backend.stop();
      const size = opts.benchSize ?? DEFAULT_BENCH_SIZE;
      return jobs.start({
        modelPath: model.path,
        mode: mode ?? 'auto',
        space,
        measure: (config, signal) =>
          runBenchConfig(bench, model.path, config, size, signal, {
            env: d.env,
            ...(opts.benchTimeoutMs ? { timeoutMs: opts.benchTimeoutMs } : {}),
            ...(opts.onBenchChild ? { onChild: opts.onBenchChild } : {}),
          }),
        appCheck: (config, signal) => appCheck(model, config, signal),
        save: async (best: TuneRow) => {
          const fp = await fingerprints(model.path);
          await profiles.save({
            modelPath: model.path,
            modelFingerprint: fp.model,
            hardwareFingerprint: fp.hardware,
            source: 'tuned',
            options: optionsOfConfig(best.config),
            savedAt: Date.now(),
            tune: { best: best.config, tgTps: best.tgTps!, ppTps: best.ppTps },
          });
        },
      });
    },
    'tune.status': async () => jobs.status(),
    'tune.cancel': () => jobs.cancel(),
    'profiles.get': ({ modelPath }) => answer(path.resolve(expandHome(modelPath))),
    'profiles.save': async ({ modelPath, options, source }) => {
      const model = await inspectModel(expandHome(modelPath));
      const fp = await fingerprints(model.path);
      const profile: ModelProfile = {
        modelPath: model.path,
        modelFingerprint: fp.model,
        hardwareFingerprint: fp.hardware,
        source,
        options: patchOf(LoadOptions).parse(options),
        savedAt: Date.now(),
        tune: null,
      };
      return profiles.save(profile);
    },
    'profiles.clear': async ({ modelPath }) => ({
      cleared: await profiles.clear(path.resolve(expandHome(modelPath))),
    }),
  };
  return { handlers, jobs, profiles, profileStep };
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined); // its outcome no longer matters, but must not go unhandled
    return Promise.reject(new Error('cancelled'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One reply through ChatService (the path the UI's chat.start takes): tokens/s as the app delivers them, from the
 * first delta to the end (llama-server's own figure when the reply is too short to time).
 */
function oneReply(d: TuningDeps, maxTokens: number, signal: AbortSignal): Promise<number> {
  const requestId = `tune-${randomUUID()}`;
  if (signal.aborted) return Promise.reject(new Error('cancelled'));
  return new Promise<number>((resolve, reject) => {
    let first: number | null = null;
    const onAbort = () => d.chat.cancel(requestId);
    const off = d.bus.on('chat.event', (ev: ChatEvent) => {
      if (ev.requestId !== requestId) return;
      if (ev.type === 'delta') first ??= performance.now();
      else {
        off();
        signal.removeEventListener('abort', onAbort);
        if (ev.type === 'error') return reject(new AppError(ev.error.code, ev.error.params ?? {}, ev.error.details));
        if (ev.cancelled || signal.aborted) return reject(new Error('cancelled'));
        const n = ev.timings?.predictedTokens ?? 0;
        const wall = first === null ? 0 : performance.now() - first;
        resolve(n >= 8 && wall > 0 ? ((n - 1) * 1000) / wall : (ev.timings?.tokensPerSecond ?? 0));
      }
    });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      d.chat.start(
        requestId,
        [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper and the sea.' }],
        { max_tokens: maxTokens, temperature: 0.8, seed: 7 },
      );
    } catch (e) {
      off();
      signal.removeEventListener('abort', onAbort);
      reject(e);
    }
  });
}
