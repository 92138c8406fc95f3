/**
 * llama.cpp RPC (issue 15 §3): workers on other machines (settings.rpc.workers, each checked over the RPC protocol),
 * the start step that hands the usable ones to llama-server (--rpc via LoadOptions.rpcServers), their memory for the
 * fit planner, and this machine as a worker (ggml-rpc-server of the active runtime). SCAFFOLD: handlers answer
 * UNSUPPORTED and the start step changes nothing until their owner writes them.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { RpcDevice } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import type { SettingsStore } from '../settings/store';
import type { StartStep } from './start-steps';

export type RpcHandlers = Pick<
  Handlers,
  | 'rpc.workers'
  | 'rpc.addWorker'
  | 'rpc.removeWorker'
  | 'rpc.setWorkerEnabled'
  | 'rpc.checkWorker'
  | 'rpc.workerMode'
  | 'rpc.startWorkerMode'
  | 'rpc.stopWorkerMode'
>;

/** Tests: shorter timeouts. */
export interface RpcOptionsForTests {
  checkTimeoutMs?: number;
}

export interface RpcFeatureDeps {
  dataDir: string;
  runDir: string;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  settings: SettingsStore;
  /** The active runtime's llama-server (ggml-rpc-server sits beside it). */
  activeServer: () => Promise<{ path: string }>;
  note: (msg: string) => void;
  options?: RpcOptionsForTests;
}

export interface RpcFeature {
  handlers: RpcHandlers;
  /** backend.start's step: options.rpcServers = the enabled workers whose check passes now. */
  startStep: StartStep;
  /** Devices the enabled, reachable workers offer (for the fit planner); [] when none. */
  workerDevices(): Promise<RpcDevice[]>;
  /** Starts worker mode when settings.rpc.worker.enabled (app start). */
  init(): Promise<void>;
  dispose(): Promise<void>;
}

const unsupported = (what: string) => async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', { what });
};

export function createRpc(_deps: RpcFeatureDeps): RpcFeature {
  return {
    handlers: {
      'rpc.workers': unsupported('rpc.workers'),
      'rpc.addWorker': unsupported('rpc.addWorker'),
      'rpc.removeWorker': unsupported('rpc.removeWorker'),
      'rpc.setWorkerEnabled': unsupported('rpc.setWorkerEnabled'),
      'rpc.checkWorker': unsupported('rpc.checkWorker'),
      'rpc.workerMode': unsupported('rpc.workerMode'),
      'rpc.startWorkerMode': unsupported('rpc.startWorkerMode'),
      'rpc.stopWorkerMode': unsupported('rpc.stopWorkerMode'),
    },
    startStep: async ({ options }) => options,
    workerDevices: async () => [],
    async init() {},
    async dispose() {},
  };
}
