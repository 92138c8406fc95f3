/**
 * The backend the app runs: the kind router (backends/router.ts) with llama-server (backends/llama-cpp) registered
 * here and vLLM / external servers registered by their features (compose/vllm.ts, compose/remote.ts), all under the
 * self-healing supervision (backends/healing), which reads settings.backend on each decision. Also the optional
 * reload of the last model when the app starts.
 */
import { spawn } from 'node:child_process';
import { BackendSettings } from '../../shared/backend-options';
import type { EventBus } from '../../shared/contract';
import type { BackendStatus, ModelFileInfo, Settings } from '../../shared/schemas';
import { SelfHealingBackend, type SelfHealingDeps } from '../backends/healing/self-healing';
import { BackendLog } from '../backends/backend-log';
import { LlamaCppBackend } from '../backends/llama-cpp/supervisor';
import { KindRouter } from '../backends/router';
import { readGgufFile } from '../models/gguf';
import { factsFromGguf } from '../models/model-facts';
import { freePort } from '../util/free-port';

/** Test knobs of the supervision (the watchdog's pace, the hang timeout, the backoff). */
export type HealingOptions = Pick<SelfHealingDeps, 'watchdogIntervalMs' | 'hangTimeoutMs' | 'backoffMs'>;

export interface BackendComposeOptions {
  runDir: string;
  binaryPath: () => Promise<string>;
  env?: NodeJS.ProcessEnv;
  stallMs?: number;
  healing?: HealingOptions;
}

export interface ComposedBackend {
  backend: SelfHealingBackend;
  /** Other kinds register here (router.register); each writes `log`. */
  router: KindRouter;
  /** The log every kind shares (pass it as the kind's `log`). */
  log: BackendLog;
  /** Follows settings.backend from now on (the supervision starts with the defaults until this is called). */
  watchSettings(settings: { get(): Promise<Settings> }, bus: EventBus): Promise<void>;
}

export async function blockCountOf(model: ModelFileInfo): Promise<number | null> {
  try {
    return factsFromGguf(await readGgufFile(model.path)).blockCount;
  } catch {
    return null;
  }
}

export function createBackend(o: BackendComposeOptions): ComposedBackend {
  let current: BackendSettings = BackendSettings.parse({});
  const log = new BackendLog(2000);
  const llama = new LlamaCppBackend({
    log,
    spawn,
    fetch: globalThis.fetch,
    pickPort: () => freePort(),
    binaryPath: o.binaryPath,
    runDir: o.runDir,
    ...(o.env ? { env: o.env } : {}),
    ...(o.stallMs ? { stallMs: o.stallMs } : {}),
  });
  const router = new KindRouter(llama, log);
  const backend = new SelfHealingBackend({
    inner: router,
    settings: () => current,
    blockCount: blockCountOf,
    ...o.healing,
  });
  return {
    backend,
    router,
    log,
    async watchSettings(settings, bus) {
      current = (await settings.get()).backend;
      bus.on('settings.changed', (s) => (current = s.backend));
    },
  };
}

/** Pure: whether to reload the last model at start (env DEEPLOCAL_RELOAD_LAST_MODEL=0/1 wins, then the setting). */
export function shouldReloadLastModel(
  setting: boolean | null,
  shell: 'electron' | 'browser',
  env: NodeJS.ProcessEnv,
): boolean {
  const v = env.DEEPLOCAL_RELOAD_LAST_MODEL;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return setting ?? shell === 'electron';
}

/**
 * Starts settings.recentModels[0] the way the user would (the backend.start handler, with settings.loadOptions and
 * the start steps), in the background; a failure is only logged.
 */
export async function reloadLastModel(o: {
  settings: { get(): Promise<Settings> };
  shell: 'electron' | 'browser';
  env: NodeJS.ProcessEnv;
  start: (modelPath: string) => Promise<BackendStatus>;
  note: (msg: string) => void;
}): Promise<void> {
  try {
    const s = await o.settings.get();
    const last = s.recentModels[0];
    if (!last || !shouldReloadLastModel(s.backend.reloadLastModel, o.shell, o.env)) return;
    o.note(`reloading the last model: ${last}`);
    await o.start(last);
  } catch (e) {
    o.note(`could not reload the last model: ${e instanceof Error ? e.message : String(e)}`);
  }
}
