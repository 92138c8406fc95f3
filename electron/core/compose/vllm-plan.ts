/**
 * vLLM planning (issue 15 §1, §3): read a snapshot folder (vllm.inspect), plan `vllm serve` and its fit (vllm.plan;
 * `plan` is what vllm.start in compose/vllm.ts runs), the Ray commands for several machines (vllm.rayCommands) and
 * the Ray head supervised here (ray.*). The decisions are pure (vllm-plan-build.ts, backends/vllm/ray-args.ts).
 */
import { spawn } from 'node:child_process';
import type { EventBus, Handlers, Params } from '../../shared/contract';
import { VllmOptions, type RayCommands, type VllmDetection, type VllmPlan } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import { LoadOptions } from '../../shared/schemas';
import type { HardwareReport } from '../../shared/telemetry';
import { RayHead } from '../backends/vllm/ray-head';
import { rayCommandFor, rayHeadArgs, rayLayout, rayWorkerCommand } from '../backends/vllm/ray-args';
import { inspectVllmModel, readVllmConfig } from '../models/vllm';
import type { SettingsStore } from '../settings/store';
import { expandHome } from '../util/safe-path';
import { buildVllmPlan, type PlanGpu } from './vllm-plan-build';

export type VllmPlanHandlers = Pick<
  Handlers,
  'vllm.inspect' | 'vllm.plan' | 'vllm.rayCommands' | 'ray.status' | 'ray.startHead' | 'ray.stopHead'
>;

export interface VllmPlanningDeps {
  dataDir: string;
  runDir: string;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  settings: SettingsStore;
  hardware: () => Promise<HardwareReport>;
  /** vllm.detect's answer (cached by compose/vllm.ts). */
  detect: (refresh?: boolean) => Promise<VllmDetection>;
  note: (msg: string) => void;
  /** Tests: how the Ray head is spawned (a stand-in `ray`). */
  spawn?: typeof spawn;
  rayStartTimeoutMs?: number;
}

export interface VllmPlanning {
  handlers: VllmPlanHandlers;
  /** The plan vllm.start runs (and vllm.plan answers). */
  plan(p: Params<'vllm.plan'>): Promise<VllmPlan>;
  dispose(): Promise<void>;
}

/** NVIDIA GPUs of the hardware report with their total memory (the probe can fail: then none). */
async function hardwareGpus(hardware: () => Promise<HardwareReport>, note: (m: string) => void): Promise<PlanGpu[]> {
  try {
    const r = await hardware();
    return r.gpus
      .filter((g) => g.vendor === 'nvidia' && typeof g.vramTotalMiB.value === 'number')
      .map((g) => ({ index: g.index, name: g.name, memoryMiB: g.vramTotalMiB.value! }));
  } catch (e) {
    note(`vLLM plan: hardware probe unavailable (${(e as Error).message})`);
    return [];
  }
}

export function createVllmPlanning(deps: VllmPlanningDeps): VllmPlanning {
  const resolvePath = (p: string) => expandHome(p);
  const head = new RayHead({
    spawn: deps.spawn ?? spawn,
    env: deps.env,
    log: (l) => deps.note(l),
    emit: (s) => deps.bus.emit('ray.status', s),
    ...(deps.rayStartTimeoutMs ? { startTimeoutMs: deps.rayStartTimeoutMs } : {}),
  });

  const plan = async (p: Params<'vllm.plan'>): Promise<VllmPlan> => {
    const folder = resolvePath(p.modelPath);
    const model = await inspectVllmModel(folder);
    const facts = await readVllmConfig(model.path);
    const options = VllmOptions.parse(p.vllm ?? {});
    const load = LoadOptions.parse({ ...(p.options ?? {}) });
    const [detection, gpus] = await Promise.all([deps.detect(), hardwareGpus(deps.hardware, deps.note)]);
    return buildVllmPlan({
      model,
      facts,
      detection,
      options,
      contextSize: p.options?.contextSize ?? 0,
      parallel: load.parallel,
      hardwareGpus: gpus,
    });
  };

  const installFor = async (id: string | undefined) => {
    const d = await deps.detect();
    const install = id ? d.installs.find((i) => i.id === id) : d.installs.find((i) => i.id === d.preferred);
    if (!install) throw new AppError('VLLM_NOT_FOUND');
    return install;
  };

  return {
    plan,
    handlers: {
      'vllm.inspect': ({ path: p }) => inspectVllmModel(resolvePath(p)),
      'vllm.plan': (p) => plan(p),
      'vllm.rayCommands': async (p): Promise<RayCommands> => {
        const layout = rayLayout(p.head, p.workers);
        const planned = await plan({
          modelPath: p.modelPath,
          vllm: { ...(p.vllm ?? {}), ray: layout, gpus: null },
          ...(p.options ? { options: p.options } : {}),
        });
        const ray = (planned.install && rayCommandFor(planned.install.command)) ?? ['ray'];
        return {
          head: [...ray, ...rayHeadArgs({ gpus: layout.gpusPerNode })],
          // Another machine's vLLM lives where it was installed there: its command names plain `ray`, run in that
          // machine's vLLM environment (the UI says so), never this machine's path or WSL prefix.
          workers: p.workers.map((w) => ({
            host: w.host,
            command: rayWorkerCommand(['ray'], w, p.head.host, layout.gpusPerNode),
          })),
          serve: planned.command,
          tensorParallelSize: planned.tensorParallelSize,
          pipelineParallelSize: layout.nodes,
        };
      },
      'ray.status': async () => head.status(),
      'ray.startHead': async ({ install: id, port }) => {
        const install = await installFor(id);
        const ray = rayCommandFor(install.command);
        if (!ray) throw new AppError('RAY_FAILED', { reason: `no ray CLI found beside ${install.command.join(' ')}` });
        const s = await head.start({ ray, gpus: Math.max(1, install.gpus.length), ...(port ? { port } : {}) });
        deps.note(
          `Ray head: ${s.state}${s.address ? ` at ${s.address}` : ''}${s.error ? ` (${s.error.message})` : ''}`,
        );
        if (s.state === 'failed' && s.error) throw AppError.from(s.error);
        return s;
      },
      'ray.stopHead': async () => head.stop(),
    },
    async dispose() {
      await head.dispose();
    },
  };
}
