/**
 * vLLM as a supervised backend kind (issue 15 §1): detection (vllm.detect), the start (vllm.start: plan, then the
 * kind router runs `vllm serve` under the self-healing supervision), and the planning handlers of
 * compose/vllm-plan.ts (inspect, plan, Ray). SCAFFOLD: handlers answer UNSUPPORTED until their owner writes them.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Backend } from '../backends/backend';
import type { BackendLog } from '../backends/backend-log';
import type { KindRouter } from '../backends/router';
import type { SettingsStore } from '../settings/store';
import type { HardwareReport } from '../../shared/telemetry';
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
  dispose(): Promise<void>;
}

const unsupported = (what: string) => async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', { what });
};

export function createVllm(deps: VllmFeatureDeps): VllmFeature {
  const planning = createVllmPlanning({
    dataDir: deps.dataDir,
    runDir: deps.runDir,
    env: deps.env,
    bus: deps.bus,
    settings: deps.settings,
    hardware: deps.hardware,
    detect: () => Promise.reject(new AppError('UNSUPPORTED', { what: 'vllm.detect' })),
    note: deps.note,
  });
  return {
    planning,
    handlers: {
      'vllm.detect': unsupported('vllm.detect'),
      'vllm.start': unsupported('vllm.start'),
      ...planning.handlers,
    },
    async dispose() {
      await planning.dispose();
    },
  };
}
