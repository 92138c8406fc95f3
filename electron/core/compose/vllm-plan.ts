/**
 * vLLM planning (issue 15 §1): read a snapshot folder (vllm.inspect), plan `vllm serve` and its fit (vllm.plan), and
 * Ray across machines (vllm.rayCommands, ray.*: the head supervised here). SCAFFOLD: handlers answer UNSUPPORTED
 * until their owner writes them; `plan` is what vllm.start (compose/vllm.ts) calls.
 */
import type { EventBus, Handlers, Params } from '../../shared/contract';
import type { VllmDetection, VllmPlan } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import type { SettingsStore } from '../settings/store';
import type { HardwareReport } from '../../shared/telemetry';

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
}

export interface VllmPlanning {
  handlers: VllmPlanHandlers;
  /** The plan vllm.start runs (and vllm.plan answers). */
  plan(p: Params<'vllm.plan'>): Promise<VllmPlan>;
  dispose(): Promise<void>;
}

const unsupported = (what: string) => async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', { what });
};

export function createVllmPlanning(_deps: VllmPlanningDeps): VllmPlanning {
  return {
    handlers: {
      'vllm.inspect': unsupported('vllm.inspect'),
      'vllm.plan': unsupported('vllm.plan'),
      'vllm.rayCommands': unsupported('vllm.rayCommands'),
      'ray.status': unsupported('ray.status'),
      'ray.startHead': unsupported('ray.startHead'),
      'ray.stopHead': unsupported('ray.stopHead'),
    },
    plan: unsupported('vllm.plan'),
    async dispose() {},
  };
}
