/**
 * The backend kinds beyond llama-server (issue 15), composed in one place for app.ts: vLLM (+ Ray), external
 * OpenAI-compatible servers, and llama.cpp RPC workers. vLLM and external servers register with the kind router;
 * RPC adds a start step (app.ts places it before the GPU plan).
 */
import type { EventBus } from '../../shared/contract';
import type { HardwareReport } from '../../shared/telemetry';
import type { Backend } from '../backends/backend';
import type { SettingsStore } from '../settings/store';
import type { ComposedBackend } from './backend';
import { createRemote, type KeychainPort, type RemoteFeature, type RemoteOptionsForTests } from './remote';
import { createRpc, type RpcFeature, type RpcOptionsForTests } from './rpc';
import { createVllm, type VllmFeature, type VllmOptionsForTests } from './vllm';

export interface BackendKindsOptions {
  /** The OS keychain for remote servers' API keys (Electron's safeStorage); absent: a 0600 file. */
  keychain?: KeychainPort;
  /** vLLM (tests: the stand-in's path, short timeouts). */
  vllm?: VllmOptionsForTests;
  /** External servers (tests: short timeouts). */
  remote?: RemoteOptionsForTests;
  /** llama.cpp RPC workers (tests: short timeouts). */
  rpc?: RpcOptionsForTests;
}

export interface BackendKinds {
  vllm: VllmFeature;
  remote: RemoteFeature;
  rpc: RpcFeature;
}

export interface BackendKindsDeps {
  opts: BackendKindsOptions & { dataDir: string };
  runDir: string;
  env: NodeJS.ProcessEnv;
  bus: EventBus;
  settings: SettingsStore;
  /** The outer (self-healing) backend. */
  backend: Backend;
  composed: Pick<ComposedBackend, 'router' | 'log'>;
  activeServer: () => Promise<{ path: string }>;
  hardware: () => Promise<HardwareReport>;
  note: (msg: string) => void;
}

export function createBackendKinds(d: BackendKindsDeps): BackendKinds {
  const { opts } = d;
  const rpc = createRpc({
    dataDir: opts.dataDir,
    runDir: d.runDir,
    env: d.env,
    bus: d.bus,
    settings: d.settings,
    activeServer: d.activeServer,
    note: d.note,
    inUse: () => {
      const s = d.backend.status();
      return s.state !== 'stopped' && s.state !== 'crashed' && s.target?.kind === 'llama-cpp'
        ? s.target.rpcWorkers
        : [];
    },
    ...(opts.rpc ? { options: opts.rpc } : {}),
  });
  const vllm = createVllm({
    dataDir: opts.dataDir,
    runDir: d.runDir,
    env: d.env,
    bus: d.bus,
    settings: d.settings,
    backend: d.backend,
    router: d.composed.router,
    log: d.composed.log,
    hardware: d.hardware,
    note: d.note,
    ...(opts.vllm ? { options: opts.vllm } : {}),
  });
  const remote = createRemote({
    dataDir: opts.dataDir,
    bus: d.bus,
    backend: d.backend,
    router: d.composed.router,
    log: d.composed.log,
    ...(opts.keychain ? { keychain: opts.keychain } : {}),
    note: d.note,
    ...(opts.remote ? { options: opts.remote } : {}),
  });
  return { vllm, remote, rpc };
}
