/**
 * Runtimes feature wiring (llama.cpp builds per variant): the RuntimeManager behind the runtimes.* handlers and
 * events, the hardware probe's backend devices taken from the active runtime's own check (no second
 * --list-devices), and the chooser fed from the probe's tool facts (so neither waits on the other).
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { RuntimeSelection } from '../../shared/runtimes';
import type { Settings } from '../../shared/schemas';
import { probeNote, type ReportRuntime } from '../../shared/telemetry';
import type { Fetch } from '../downloads/hubs';
import { factsAvx2, factsGpus, type BackendAnswer, type ProbeFacts } from '../hardware/probe';
import type { ChooserInput } from '../runtimes/choose';
import { RuntimeAutoUpdater } from '../runtimes/auto-update';
import { installRelease } from '../runtimes/install';
import { RuntimeManager } from '../runtimes/manager';
import { RuntimeStore } from '../runtimes/store';
import type { SettingsStore } from '../settings/store';
import { expandHome } from '../util/safe-path';

type RuntimeHandlers = Pick<Handlers, Extract<keyof Handlers, `runtimes.${string}`>>;

export interface RuntimesDeps {
  dataDir: string;
  resourcesDirs: string[];
  settings: SettingsStore;
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  fetch?: Fetch;
  hardwareFacts: () => Promise<ProbeFacts>;
  backendRunning: () => boolean;
  /** The active runtime may have changed: the hardware report asks again. */
  invalidateHardware: () => void;
  log: (msg: string) => void;
  checkTimeoutMs?: number;
}

export interface RuntimesFeature {
  manager: RuntimeManager;
  handlers: RuntimeHandlers;
  /** What the hardware report shows as the backend's devices. */
  backendAnswer(facts: ProbeFacts): Promise<BackendAnswer>;
  dispose(): Promise<void>;
}

/** The chooser's input from what the vendor tools and the OS saw (never a runtime's own list). Pure. */
export function chooserInputFromFacts(f: ProbeFacts, platform = process.platform, arch = process.arch): ChooserInput {
  return {
    platform,
    arch,
    cpu: { avx2: factsAvx2(f) },
    gpus: factsGpus(f).map((g) => ({
      vendor: g.vendor,
      name: g.name,
      driverVersion: g.driverVersion.value,
      computeCapability: g.computeCapability,
    })),
  };
}

/** The selection as a hardware report carries it. Pure. */
export function reportRuntime(sel: RuntimeSelection, reason: ReportRuntime['reason']): ReportRuntime {
  return {
    id: sel.active?.id ?? null,
    variant: sel.active?.variant ?? null,
    source: sel.active?.source ?? null,
    tag: sel.active?.tag ?? null,
    setting: sel.setting,
    reason,
    fallbacks: sel.fallbacks.map((f) => ({ runtimeId: f.runtimeId, variant: f.variant, problem: f.problem })),
    gpuUnusable: sel.gpuUnusable,
    summary: sel.summary,
  };
}

export function createRuntimes(deps: RuntimesDeps): RuntimesFeature {
  const store = new RuntimeStore(deps.dataDir);
  // Folders an interrupted install or removal left behind (no valid runtime.json) go at start.
  void store.cleanStale().then(
    (gone) => gone.length && deps.log(`runtimes: removed unfinished folders ${gone.join(', ')}`),
    (e: unknown) => deps.log(`runtimes: cleaning unfinished folders failed: ${String(e)}`),
  );
  let lastActive: string | null | undefined;
  const manager: RuntimeManager = new RuntimeManager({
    dataDir: deps.dataDir,
    resourcesDirs: deps.resourcesDirs,
    settings: deps.settings,
    env: deps.env,
    fetch: deps.fetch ?? globalThis.fetch,
    chooserInput: async () => chooserInputFromFacts(await deps.hardwareFacts()),
    backendRunning: deps.backendRunning,
    store,
    install: (o) => installRelease(o),
    emitProgress: (job) => deps.bus.emit('runtimes.progress', job),
    emitChanged: (list) => {
      const active = list.selection.active?.id ?? null;
      if (active !== lastActive) deps.invalidateHardware();
      lastActive = active;
      deps.bus.emit('runtimes.changed', list);
    },
    log: deps.log,
    ...(deps.checkTimeoutMs ? { checkTimeoutMs: deps.checkTimeoutMs } : {}),
  });

  // A switch made through settings.update (the override path, the active id) is a runtime change too.
  let prev: Pick<Settings, 'llamaServerPath' | 'runtime'> | null = null;
  const offSettings = deps.bus.on('settings.changed', (s) => {
    const now = { llamaServerPath: s.llamaServerPath, runtime: s.runtime };
    if (prev && JSON.stringify(prev) !== JSON.stringify(now)) {
      deps.invalidateHardware();
      void manager.list().then(
        (list) => deps.bus.emit('runtimes.changed', list),
        (e: unknown) => deps.log(`runtimes: listing after a settings change failed: ${String(e)}`),
      );
    }
    prev = now;
  });
  void deps.settings.get().then((s) => (prev ??= { llamaServerPath: s.llamaServerPath, runtime: s.runtime }));

  // Newer llama.cpp releases arrive on their own (Settings → Runtimes); env values let tests shorten the wait.
  const envMs = (name: string, fallback: number) => {
    const v = Number(deps.env[name]);
    return Number.isFinite(v) && v >= 0 && deps.env[name] !== '' ? v : fallback;
  };
  const autoUpdater = new RuntimeAutoUpdater({
    settings: async () => (await deps.settings.get()).runtime,
    list: () => manager.list(),
    latestTag: async () => (await manager.update(false)).latest,
    get: (variant, tag) => manager.get(variant, tag),
    waitJob: (id) => manager.waitJob(id),
    log: deps.log,
    delayMs: envMs('DEEPLOCAL_RUNTIME_UPDATE_DELAY_MS', 60_000),
    intervalMs: envMs('DEEPLOCAL_RUNTIME_UPDATE_INTERVAL_MS', 24 * 3600_000),
  });
  autoUpdater.start();

  const handlers: RuntimeHandlers = {
    'runtimes.list': () => manager.list(),
    'runtimes.available': ({ tag }) => manager.available(tag),
    'runtimes.get': async ({ variant, tag }) => manager.get(variant, tag),
    'runtimes.cancel': async ({ jobId }) => manager.cancel(jobId),
    'runtimes.use': ({ id }) => manager.use(id),
    'runtimes.check': () => manager.check(),
    'runtimes.remove': ({ id }) => manager.remove(id),
    'runtimes.addFolder': ({ path }) => manager.addFolder(expandHome(path)),
    'runtimes.update': ({ apply }) => manager.update(apply ?? false),
  };

  return {
    manager,
    handlers,
    async backendAnswer() {
      const { selection, listed, reason } = await manager.selectionDetail();
      const runtime = reportRuntime(selection, reason);
      const active = selection.active;
      if (!active)
        return { devices: null, runtime, note: probeNote('llama-server', 'BACKEND_MISSING', { path: 'no runtime' }) };
      if (!listed) {
        const why = active.lastCheck?.problem?.message ?? 'not checked';
        return {
          devices: null,
          runtime,
          note: probeNote('llama-server', 'TOOL_ERROR', { error: `${active.id}: ${why}` }),
        };
      }
      return { devices: selection.devices, runtime, note: null };
    },
    async dispose() {
      offSettings();
      autoUpdater.stop();
      await manager.dispose();
      await autoUpdater.idle();
    },
  };
}
