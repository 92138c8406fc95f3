/**
 * llama.cpp RPC (issue 15 §3): workers on other machines (settings.rpc.workers, each checked over the RPC protocol:
 * core/rpc/workers.ts + protocol.ts), the start step that hands the usable ones to llama-server (--rpc via
 * LoadOptions.rpcServers), their memory for the fit planner, and this machine as a worker (ggml-rpc-server of the
 * active runtime: core/rpc/worker-mode.ts), with its pid file reaped like llama-server's.
 */
import path from 'node:path';
import type { EventBus, Handlers } from '../../shared/contract';
import { RpcWorkerModeSettings, type RpcDevice, type RpcWorkerMode } from '../../shared/backends';
import { AppError, formatError } from '../../shared/errors';
import type { SettingsStore } from '../settings/store';
import { reapStaleBackend, removeBackendPidFile, writeBackendPidFile } from '../backends/llama-cpp/backend-pidfile';
import { DEFAULT_CHECK_TIMEOUT_MS, checkRpcWorker } from '../rpc/protocol';
import { parseAddress } from '../rpc/protocol-codec';
import { RpcWorkerSupervisor } from '../rpc/worker-mode';
import { RpcWorkerList } from '../rpc/workers';
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
  /** How long worker mode's ggml-rpc-server may take to answer its first HELLO. */
  workerReadyTimeoutMs?: number;
  /** `serve --rpc-worker` starts the worker itself (with its own host/port): init() must not start the saved one. */
  noWorkerAutostart?: boolean;
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
  /** host:port of the workers the running llama-server uses (BackendStatus.target.rpcWorkers); [] when none. */
  inUse?: () => string[];
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
  /** Worker mode for this run only (`serve --rpc-worker`): the saved settings with `patch` over them, not saved. */
  startWorker(patch: Partial<RpcWorkerModeSettings>): Promise<RpcWorkerMode>;
  dispose(): Promise<void>;
}

export const RPC_WORKER_PID_FILE = 'ggml-rpc-server.pid';
const RPC_WORKER_PROGRAM = /ggml-rpc-server/;
/** The fit planner asks often: a worker's check this young is reused. */
const DEVICES_MAX_AGE_MS = 30_000;

export function createRpc(deps: RpcFeatureDeps): RpcFeature {
  const { settings, bus, note } = deps;
  const timeoutMs = deps.options?.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const workers = new RpcWorkerList({
    read: async () => (await settings.get()).rpc.workers,
    write: async (fn) =>
      (await settings.mutate((s) => ({ ...s, rpc: { ...s.rpc, workers: fn(s.rpc.workers) } }))).rpc.workers,
    emit: (list) => bus.emit('rpc.workers', list),
    inUse: () => deps.inUse?.() ?? [],
    timeoutMs,
  });
  const supervisor = new RpcWorkerSupervisor({
    serverPath: async () => (await deps.activeServer()).path,
    cacheDir: path.join(deps.dataDir, 'rpc-cache'),
    env: deps.env,
    onChange: (m) => bus.emit('rpc.workerMode', m),
    note,
    pidfile: {
      write: (pid) => writeBackendPidFile(deps.runDir, pid, undefined, RPC_WORKER_PID_FILE),
      remove: (pid) => removeBackendPidFile(deps.runDir, pid, RPC_WORKER_PID_FILE),
    },
    ...(deps.options?.workerReadyTimeoutMs ? { readyTimeoutMs: deps.options.workerReadyTimeoutMs } : {}),
  });

  const saveWorkerMode = (patch: Partial<RpcWorkerModeSettings>) =>
    settings.mutate((s) => ({
      ...s,
      rpc: { ...s.rpc, worker: RpcWorkerModeSettings.parse({ ...s.rpc.worker, ...patch }) },
    }));

  /** Addresses named by the caller (not from the list): each checked now, the ones that answer kept. */
  const checkNamed = async (addresses: string[]) => {
    const inUse = deps.inUse?.() ?? [];
    const results = await Promise.all(
      addresses.map(async (address) => {
        if (inUse.includes(address)) return { address, error: null };
        const p = parseAddress(address);
        const c = p ? await checkRpcWorker(p.host, p.port, { timeoutMs }) : null;
        const error = c ? c.error : new AppError('RPC_BAD_ADDRESS', { address }).toInfo();
        return { address, error: c?.ok ? null : error };
      }),
    );
    return {
      use: results.filter((r) => !r.error).map((r) => r.address),
      skip: results.filter((r) => r.error).map((r) => ({ address: r.address, error: r.error! })),
    };
  };

  const startStep: StartStep = async ({ options, explicit }) => {
    // A non-empty list from the caller (the API) is used as named, each address checked; an empty one is what a
    // full options object from a form carries, so the workers come from the list (rpc.setWorkerEnabled turns one
    // off).
    const named = explicit.rpcServers?.length ? explicit.rpcServers : null;
    const enabled = (await settings.get()).rpc.workers.filter((w) => w.enabled);
    if (!named && enabled.length === 0) return { ...options, rpcServers: [] };
    if (options.gpus.devices !== null) {
      // -dev names this machine's devices only; llama.cpp would leave the workers' devices out anyway.
      note('RPC workers not used: this start names its own devices (GPU choice), which leaves the workers out');
      return { ...options, rpcServers: [] };
    }
    const { use, skip } = named ? await checkNamed(named) : await workers.usable();
    for (const s of skip) note(`RPC worker ${s.address} skipped: ${formatError('en', s.error.code, s.error.params)}`);
    if (use.length > 0) note(`RPC workers used: ${use.join(', ')}`);
    return { ...options, rpcServers: use };
  };

  return {
    handlers: {
      'rpc.workers': () => workers.list(),
      'rpc.addWorker': ({ host, port }) => workers.add(host, port),
      'rpc.removeWorker': async ({ id }) => ({ removed: await workers.remove(id) }),
      'rpc.setWorkerEnabled': ({ id, enabled }) => workers.setEnabled(id, enabled),
      'rpc.checkWorker': ({ id }) => workers.checkOne(id),
      'rpc.workerMode': async () => supervisor.state(),
      'rpc.startWorkerMode': async (patch) => {
        const s = await saveWorkerMode({ ...patch, enabled: true });
        return supervisor.start(s.rpc.worker);
      },
      'rpc.stopWorkerMode': async () => {
        await saveWorkerMode({ enabled: false });
        return supervisor.stop();
      },
    },
    startStep,
    workerDevices: () => workers.devices(DEVICES_MAX_AGE_MS).catch(() => []),
    async init() {
      // A worker left by a crashed app (its pid file names a dead owner) is ended before a new one binds the port.
      await reapStaleBackend(deps.runDir, note, { name: RPC_WORKER_PID_FILE, program: RPC_WORKER_PROGRAM });
      void workers.checkAll().catch(() => undefined);
      const s = (await settings.get()).rpc.worker;
      if (s.enabled && !deps.options?.noWorkerAutostart) await supervisor.start(s);
    },
    async startWorker(patch) {
      const saved = (await settings.get()).rpc.worker;
      return supervisor.start(RpcWorkerModeSettings.parse({ ...saved, ...patch, enabled: true }));
    },
    async dispose() {
      await supervisor.dispose();
    },
  };
}
