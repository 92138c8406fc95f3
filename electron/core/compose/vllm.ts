/**
 * vLLM as a supervised backend kind (issue 15 §1): detection (vllm.detect, cached, event vllm.detection), the vLLM
 * kind registered with the kind router (backends/vllm/supervisor.ts), and the start (vllm.start: the plan of
 * compose/vllm-plan.ts, its first problem refused, then the outer self-healing backend runs it, so crash recovery and
 * the OOM ladder apply). The planning handlers (inspect, plan, Ray) are compose/vllm-plan.ts's.
 */
import { spawn } from 'node:child_process';
import type { VllmDetection, VllmPlan } from '../../shared/backends';
import type { EventBus, Handlers, Params } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { defaultLoadOptions, type LoadOptions, type ModelFileInfo } from '../../shared/schemas';
import type { HardwareReport } from '../../shared/telemetry';
import type { Backend } from '../backends/backend';
import type { BackendLog } from '../backends/backend-log';
import type { KindRouter } from '../backends/router';
import { detectVllm } from '../backends/vllm/detect';
import { VllmBackend } from '../backends/vllm/supervisor';
import type { SettingsStore } from '../settings/store';
import { freePort } from '../util/free-port';
import { createVllmPlanning, type VllmPlanning } from './vllm-plan';

export type VllmHandlers = Pick<
  Handlers,
  | 'vllm.detect'
  | 'vllm.inspect'
  | 'vllm.plan'
  | 'vllm.start'
  | 'vllm.rayCommands'
  | 'ray.status'
  | 'ray.startHead'
  | 'ray.stopHead'
>;

/** Tests: where to look for vLLM (the stand-in under scripts/fake-vllm), shorter timeouts. */
export interface VllmOptionsForTests {
  /** Extra `vllm` executables to probe first (also DEEPLOCAL_VLLM in env). */
  candidates?: string[];
  probeTimeoutMs?: number;
  stallMs?: number;
  /** Grace period between SIGTERM and SIGKILL of vLLM's process group. */
  killGraceMs?: number;
}

export interface VllmFeatureDeps {
  dataDir: string;
  runDir: string;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  settings: SettingsStore;
  /** The outer (self-healing) backend: vllm.start goes through it, so recovery applies. */
  backend: Backend;
  /** The vLLM kind registers here. */
  router: KindRouter;
  /** The log every kind shares. */
  log: BackendLog;
  hardware: () => Promise<HardwareReport>;
  note: (msg: string) => void;
  options?: VllmOptionsForTests;
}

export interface VllmFeature {
  handlers: VllmHandlers;
  planning: VllmPlanning;
  /** The vLLM kind's backend (registered with the router). */
  backend: VllmBackend;
  /** Cached detection; `refresh` looks again. Never throws. */
  detect(refresh?: boolean): Promise<VllmDetection>;
  dispose(): Promise<void>;
}

/** Pure: the ModelFileInfo a vLLM run shows (status, recent models): the checkpoint folder as the "file". */
export function vllmModelInfo(plan: Pick<VllmPlan, 'model'>): ModelFileInfo {
  const m = plan.model;
  return {
    path: m.path,
    name: m.name,
    sizeBytes: m.sizeBytes,
    architecture: m.architecture,
    quantization: m.quantization,
    contextLength: m.contextLength,
    parameterCount: m.parameterCount,
    tensorCount: 0,
    ggufVersion: 0,
    splitCount: m.shards,
  };
}

/** Pure: the LoadOptions of a vLLM run: the planned max model length as the context, parallel → --max-num-seqs. */
export function vllmLoadOptions(plan: Pick<VllmPlan, 'maxModelLen'>, p: Params<'vllm.start'>): LoadOptions {
  const parallel = p.options?.parallel;
  return {
    ...defaultLoadOptions(),
    contextSize: plan.maxModelLen,
    ...(typeof parallel === 'number' ? { parallel } : {}),
  };
}

export function createVllm(deps: VllmFeatureDeps): VllmFeature {
  const o = deps.options ?? {};
  let cached: Promise<VllmDetection> | null = null;
  const detect = (refresh = false): Promise<VllmDetection> => {
    if (!cached || refresh) {
      const run = detectVllm({
        env: deps.env,
        ...(o.candidates ? { candidates: o.candidates } : {}),
        ...(o.probeTimeoutMs ? { timeoutMs: o.probeTimeoutMs } : {}),
      }).then((d) => {
        deps.note(
          `vLLM detection: ${d.installs.length ? d.installs.map((i) => `${i.id} ${i.version ?? '?'}${i.usable ? '' : ` (${i.problem?.code})`}`).join(', ') : 'none found'}`,
        );
        deps.bus.emit('vllm.detection', d);
        return d;
      });
      cached = run;
      // A failed look (detectVllm never throws, but a listener might) is not kept.
      run.catch(() => (cached === run ? (cached = null) : null));
    }
    return cached;
  };

  const backend = new VllmBackend({
    spawn,
    fetch: globalThis.fetch,
    pickPort: () => freePort(),
    runDir: deps.runDir,
    env: deps.env,
    log: deps.log,
    ...(o.stallMs ? { stallMs: o.stallMs } : {}),
    ...(o.killGraceMs ? { killGraceMs: o.killGraceMs } : {}),
  });
  deps.router.register(backend);
  // A vLLM left by a DeepLocal that died holds GPU memory: end it now, not at the first vLLM start.
  void backend.reapStale();

  const planning = createVllmPlanning({
    dataDir: deps.dataDir,
    runDir: deps.runDir,
    env: deps.env,
    bus: deps.bus,
    settings: deps.settings,
    hardware: deps.hardware,
    detect,
    note: deps.note,
  });

  return {
    planning,
    backend,
    detect,
    handlers: {
      'vllm.detect': (p) => detect(p.refresh === true),
      'vllm.start': async (p) => {
        const plan = await planning.plan(p);
        if (plan.problems.length > 0) throw AppError.from(plan.problems[0]!);
        return deps.backend.start({
          kind: 'vllm',
          model: vllmModelInfo(plan),
          options: vllmLoadOptions(plan, p),
          vllm: { plan },
        });
      },
      ...planning.handlers,
    },
    async dispose() {
      await planning.dispose();
      await backend.dispose();
    },
  };
}
