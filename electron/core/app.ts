/**
 * Composes the core: settings, model inspection, the backend (llama-server today), chat, and monitoring (hardware,
 * telemetry, power, alerts), exposed as the contract's handlers plus an event bus. No Electron here; the shell
 * passes in paths and optional native capabilities (file dialog, elevation).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppUpdaterPort } from '../shared/app-update';
import type { EventBus, Handlers } from '../shared/contract';
import { LoadOptions } from '../shared/schemas';
import type { Backend } from './backends/backend';
import { reapStaleBackend } from './backends/llama-cpp/backend-pidfile';
import { ChatService } from './chat/chat-service';
import { createConversations, type ConversationsFeature } from './compose/conversations';
import { createChat, type ChatFeature } from './compose/chat';
import { createApi, type ApiFeature, type ApiServersControl } from './compose/api';
import { createJit, type JitDeps, type JitLoader } from './api/jit';
import { checkFit } from './api/jit-fit';
import { acquireDataDirLock, type DataDirLock } from './lock/data-dir-lock';
import { createRuntimes, type RuntimesDeps, type RuntimesFeature } from './compose/runtimes';
import { createModelsFeature, type ModelsFeature, type ModelsFeatureOptions } from './compose/models';
import { inspectModel } from './models/inspect';
import type { Elevate } from './power/power-service';
import { SettingsStore } from './settings/store';
import { serverHandlers, type ServerControl } from './settings/server-address';
import { createMonitoring, type Monitoring, type MonitoringOptions } from './compose/monitoring';
import { createEventBus } from './util/event-bus';
import { runStartSteps, type StartStep } from './compose/start-steps';
import { createTuning, type TuningFeature, type TuningOptions } from './compose/tuning';
import { createGpus } from './compose/gpus';
import { speculativeStep } from './compose/speculative';
import { expandHome } from './util/safe-path';
import { createBackend, reloadLastModel, type HealingOptions } from './compose/backend';
import { createQuant, type QuantFeature, type QuantOptions } from './compose/quant';
import { TOOL_PID_FILE, TOOL_PROGRAM } from './compose/quant-env';
import { createQuantCompare } from './compose/quant-compare';
import { shellHandlers } from './compose/shell';
import { createBackendKinds, type BackendKinds, type BackendKindsOptions } from './compose/backend-kinds';

/** keychain, vllm, remote, rpc: the backend kinds' options (compose/backend-kinds.ts). */
export interface CoreOptions extends BackendKindsOptions {
  dataDir: string;
  /** Folders holding bin/<platform>-<arch>-<variant>/ (packaged resources first, then the repo's). */
  resourcesDirs: string[];
  shell: 'electron' | 'browser';
  version: string;
  /** Set by the HTTP transport once it listens. */
  apiBaseUrl?: () => string | null;
  /** The Ollama-compatible server and LAN mode, started by the shell (api.status reads them). */
  apiServers?: () => ApiServersControl | null;
  /** Headless: the web server's token control, once it listens (server.newToken). Absent: UNSUPPORTED. */
  server?: () => ServerControl | null;
  /** Electron's file dialog; absent in the browser shell. */
  pickModelFile?: () => Promise<string | null>;
  /** Electron's app updates (electron-updater); absent in the browser shell: app.updateStatus/installUpdate UNSUPPORTED. */
  appUpdater?: AppUpdaterPort;
  env?: NodeJS.ProcessEnv;
  stallMs?: number;
  /** Runs nvidia-smi with administrator rights (Electron: pkexec / UAC). Absent: run directly or say how. */
  elevate?: Elevate;
  /** Telemetry intervals and timeouts (tests shorten them). DEEPLOCAL_TELEMETRY_INTERVAL_MS in env also sets the interval. */
  monitoring?: MonitoringOptions;
  /** Runtimes (tests: the fetch used for the release feed, the device check's deadline). */
  runtimes?: Pick<RuntimesDeps, 'fetch' | 'checkTimeoutMs'>;
  /** Catalog, hubs and downloads (tests point the hubs at the emulator and shorten timeouts). */
  models?: Pick<ModelsFeatureOptions, 'hubEndpoints' | 'downloadTuning' | 'downloadIo' | 'probeTimeoutMs' | 'fetch'>;
  /** Self-healing supervision (tests: a short hang timeout, a faster watchdog and backoff). */
  healing?: HealingOptions;
  /** Auto-tune (tests: a narrowed grid, a smaller bench, a hook on each llama-bench process). */
  tuning?: TuningOptions;
  /** Just-in-time loading for API requests (tests: a shorter minute for the idle timer). */
  jit?: Pick<JitDeps, 'minuteMs' | 'readyTimeoutMs' | 'drainTimeoutMs'>;
  /** Quantization and quality checks (tests: small runs, a hook on each tool process). */
  quant?: QuantOptions;
}

export interface Core {
  handlers: Handlers;
  bus: EventBus;
  /** The one running backend; chat, the OpenAI proxy and telemetry reach it only through this interface. */
  backend: Backend;
  chat: ChatService;
  /** Conversations (the SQLite store) and chat in them. */
  conversations: ConversationsFeature;
  conversationChat: ChatFeature;
  settings: SettingsStore;
  monitoring: Monitoring;
  /** Contract chat replies started (for /metrics). */
  requestCounts: { chat: number };
  models: ModelsFeature;
  /** llama.cpp runtimes: the active one is what the backend starts (runtimes.manager.activeServer()). */
  runtimes: RuntimesFeature;
  /** Auto-tune jobs and the model profiles they save. */
  tuning: TuningFeature;
  /** Named API keys (the transports verify them) and api.status (the shell's servers report changes here). */
  api: ApiFeature;
  /** Just-in-time loading for the API (the OpenAI proxy and the Ollama-compatible server). */
  jit: JitLoader;
  /** Requantize, quality checks and the work queue. */
  quant: QuantFeature;
  /** vLLM (+ Ray), external OpenAI-compatible servers, llama.cpp RPC workers. */
  vllm: BackendKinds['vllm'];
  remote: BackendKinds['remote'];
  rpc: BackendKinds['rpc'];
  /** This process owns opts.dataDir until dispose (headless records its URL here once it listens). */
  dataDirLock: DataDirLock;
  dispose(): Promise<void>;
}

/**
 * Takes the data folder's lock first (a second DeepLocal on the same folder fails here with DATA_DIR_LOCKED or
 * DATA_DIR_IN_USE, before it reads or reaps anything), then composes the core; the lock is released on dispose.
 */
export async function createCore(opts: CoreOptions): Promise<Core> {
  const lock = await acquireDataDirLock(opts.dataDir, { shell: opts.shell });
  try {
    return await composeCore(opts, lock);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function composeCore(opts: CoreOptions, dataDirLock: DataDirLock): Promise<Core> {
  const runDir = path.join(opts.dataDir, 'run');
  await fs.mkdir(runDir, { recursive: true });
  const bus = createEventBus((e) => console.error('event listener failed:', e));
  // The active runtime (composed below, after the settings and the hardware probe it reads); asked only once the
  // core is composed. The legacy override (llamaServerPath, DEEPLOCAL_LLAMA_SERVER) still wins, inside the manager.
  const locateBinary = () => runtimes.manager.activeServer();
  // llama-server under the self-healing supervision (compose/backend.ts).
  const healing = createBackend({
    binaryPath: async () => (await locateBinary()).path,
    runDir,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.stallMs ? { stallMs: opts.stallMs } : {}),
    ...(opts.healing ? { healing: opts.healing } : {}),
  });
  const backend: Backend = healing.backend;
  const note = (m: string) => backend.note(m);
  if (dataDirLock.tookOverFrom)
    note(
      `took over the data folder from DeepLocal process ${dataDirLock.tookOverFrom.pid} (${dataDirLock.tookOverFrom.why})`,
    );
  await reapStaleBackend(runDir, note);
  await reapStaleBackend(runDir, note, { name: TOOL_PID_FILE, program: TOOL_PROGRAM });
  const settings = new SettingsStore(opts.dataDir, note, (s) => bus.emit('settings.changed', s));
  await healing.watchSettings(settings, bus);
  const conversations = await createConversations({ dataDir: opts.dataDir, bus, log: note });
  const chat = new ChatService({ endpoint: () => backend.endpoint(), emit: (ev) => bus.emit('chat.event', ev) });
  const conversationChat = await createChat({
    dataDir: opts.dataDir,
    bus,
    backend,
    settings,
    repo: conversations.repo,
    log: note,
  });
  const api = await createApi({
    dataDir: opts.dataDir,
    bus,
    control: opts.apiServers ?? (() => null),
    // Declared below (it needs the handlers); read only once a status is asked for.
    jit: () => jit.state(),
    log: note,
  });
  backend.onStatus((s) => {
    bus.emit('backend.status', s);
    // A reply cannot outlive its backend; one cut by a crash ends with that error, not as "stopped".
    if (s.state !== 'ready') {
      const exit = backend.lastExit();
      chat.cancelAll(exit && exit.kind !== 'stopped' ? exit.error : undefined);
      conversationChat.stopAll(exit && exit.kind !== 'stopped' ? exit.error : undefined);
    }
  });
  backend.onLog((l) => bus.emit('backend.log', l));
  const env = opts.env ?? process.env;
  const envInterval = Number(env.DEEPLOCAL_TELEMETRY_INTERVAL_MS);
  const monitoring = await createMonitoring({
    bus,
    env,
    dataDir: opts.dataDir,
    settings,
    backend,
    runtimeDevices: (facts) => runtimes.backendAnswer(facts),
    ...(opts.elevate ? { elevate: opts.elevate } : {}),
    options: { ...(envInterval >= 50 ? { intervalMs: envInterval } : {}), ...opts.monitoring },
  });
  const runtimes: RuntimesFeature = createRuntimes({
    dataDir: opts.dataDir,
    resourcesDirs: opts.resourcesDirs,
    settings,
    bus,
    env,
    hardwareFacts: () => monitoring.hardwareFacts(),
    backendRunning: () => !['stopped', 'crashed'].includes(backend.status().state),
    invalidateHardware: () => monitoring.invalidateHardware(),
    log: note,
    ...opts.runtimes,
  });
  /** backend.start's steps (compose/start-steps.ts); each feature adds its own, in order: profile, draft, GPUs. */
  const startSteps: StartStep[] = [];
  startSteps.push(speculativeStep({ language: async () => (await settings.get()).language }));
  // vLLM, external servers, RPC workers (issue 15). The RPC step (options.rpcServers) runs before the GPU plan.
  const { vllm, remote, rpc } = createBackendKinds({
    opts,
    runDir,
    env,
    bus,
    settings,
    backend,
    composed: healing,
    activeServer: () => locateBinary(),
    hardware: () => handlers['hardware.probe']({}, { transport: 'direct' }),
    note,
  });
  startSteps.push(rpc.startStep);
  // Several GPUs (last: it plans with the options the other steps produced).
  const gpus = createGpus({
    devices: async () => (await runtimes.manager.selection()).devices,
    savedOptions: async () => (await settings.get()).loadOptions,
    language: async () => (await settings.get()).language,
  });
  startSteps.push(gpus.startStep);
  // The model's saved profile (first: the other steps see the options it sets).
  const tuning = createTuning({
    dataDir: opts.dataDir,
    env,
    bus,
    backend,
    chat,
    settings,
    startSteps,
    probeHardware: () => handlers['hardware.probe']({}, { transport: 'direct' }),
    activeServer: () => locateBinary(),
    log: note,
    ...(opts.tuning ? { options: opts.tuning } : {}),
  });
  const requestCounts = { chat: 0 };
  const models = await createModelsFeature({
    dataDir: opts.dataDir,
    resourcesDirs: opts.resourcesDirs,
    settings,
    bus,
    env,
    probeHardware: () => handlers['hardware.probe']({}, { transport: 'direct' }),
    rpcDevices: () => rpc.workerDevices(),
    modelInUse: (p) => backend.status().model?.path === p && backend.status().state !== 'stopped',
    log: note,
    ...opts.models,
  });

  const quant = createQuant({
    dataDir: opts.dataDir,
    resourcesDirs: opts.resourcesDirs,
    bus,
    backend,
    settings,
    library: models.library,
    modelsDir: () => models.modelsDir(),
    activeServer: () => locateBinary(),
    hardware: () => models.hardware(),
    log: note,
    runDir,
    ...(opts.quant ? { options: opts.quant } : {}),
  });
  const compare = createQuantCompare({
    models,
    quant,
    profiles: tuning.profiles,
    backend,
    start: (modelPath, options) => handlers['backend.start']({ modelPath, options }, { transport: 'direct' }),
    settings: () => settings.get(),
    log: note,
  });

  const handlers: Handlers = {
    'app.info': async () => {
      const bin = await locateBinary();
      return {
        name: 'DeepLocal',
        version: opts.version,
        shell: opts.shell,
        platform: process.platform,
        arch: process.arch,
        systemLocale: Intl.DateTimeFormat().resolvedOptions().locale || process.env.LANG || 'en',
        dataDir: opts.dataDir,
        backend: bin,
        apiBaseUrl: opts.apiBaseUrl?.() ?? null,
        powerControl: monitoring.power.control(),
      };
    },
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'models.inspect': ({ path: p }) => inspectModel(expandHome(p)),
    'backend.status': async () => backend.status(),
    'backend.start': async ({ modelPath, options }) => {
      const model = await inspectModel(expandHome(modelPath));
      const s = await settings.get();
      const merged = LoadOptions.parse({ ...s.loadOptions, ...(options ?? {}) });
      const run = await runStartSteps(startSteps, { model, options: merged, explicit: options ?? {} });
      const status = await backend.start({ model, options: run });
      await settings.addRecentModel(model.path);
      if (options) await settings.update({ loadOptions: merged });
      return status;
    },
    'backend.stop': () => backend.stop(),
    'backend.retry': () => healing.backend.retry(),
    'backend.logs': async ({ limit }) => backend.recentLogs(limit ?? 500),
    'chat.start': async ({ requestId, messages, sampling }) => {
      const defaults = (await settings.get()).sampling;
      chat.start(requestId, messages, { ...defaults, ...(sampling ?? {}) });
      requestCounts.chat++;
      return { requestId };
    },
    'chat.cancel': async ({ requestId }) => ({ cancelled: chat.cancel(requestId) }),
    ...monitoring.handlers,
    ...conversations.handlers,
    ...conversationChat.handlers,
    // While a reply streams, its text as it is in memory (the store is written at most once a second).
    'conversations.get': async (p, ctx) =>
      conversationChat.overlay(await conversations.handlers['conversations.get'](p, ctx)),
    ...api.handlers,
    ...shellHandlers(opts),
    ...models.handlers,
    ...serverHandlers(opts.server ?? (() => null)),
    ...runtimes.handlers,
    ...gpus.handlers,
    ...tuning.handlers,
    ...quant.handlers,
    ...compare.handlers,
    ...vllm.handlers,
    ...remote.handlers,
    ...rpc.handlers,
  };

  const jit = createJit({
    backend,
    settings: () => settings.get(),
    installed: () => models.library.list(),
    start: (modelPath) => handlers['backend.start']({ modelPath }, { transport: 'direct' }),
    fit: async (m, options) => checkFit(m, options, await models.hardware()),
    onChange: () => api.statusChanged(),
    log: note,
    ...opts.jit,
  });

  void rpc.init().catch((e: unknown) => note(`RPC worker mode did not start: ${String(e)}`));

  // Optional: the last model again, as the user would start it (in the background; failures only logged).
  void reloadLastModel({
    settings,
    shell: opts.shell,
    env,
    start: (modelPath) => handlers['backend.start']({ modelPath }, { transport: 'direct' }),
    note,
  });

  return {
    handlers,
    bus,
    backend,
    chat,
    conversations,
    conversationChat,
    settings,
    monitoring,
    requestCounts,
    models,
    runtimes,
    tuning,
    api,
    jit,
    quant,
    vllm,
    remote,
    rpc,
    dataDirLock,
    async dispose() {
      jit.dispose();
      await rpc.dispose();
      await vllm.dispose();
      await remote.dispose();
      await quant.dispose();
      chat.cancelAll();
      conversationChat.stopAll();
      await conversationChat.dispose();
      await conversations.dispose();
      await api.dispose();
      await tuning.jobs.cancel();
      await models.dispose();
      await runtimes.dispose();
      await monitoring.dispose();
      await backend.dispose();
      await dataDirLock.release();
    },
  };
}
