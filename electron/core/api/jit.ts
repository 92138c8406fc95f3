/**
 * Just-in-time loading (LM Studio's JIT, Ollama's on-demand load): an API request naming an installed model that is
 * not the loaded one loads it, as the UI would (the backend.start handler: saved load options and the model's
 * profile), waits until it serves (bounded), then is served. One model at a time: the new load waits (bounded) for
 * the requests in flight on the old model to finish first. A model loaded this way unloads after
 * settings.api.jitIdleMinutes without requests (0 = never); one the user loaded stays. The decision is
 * jit-decide.ts; the names a model answers to are model-names.ts.
 */
import { AppError } from '../../shared/errors';
import type { LibraryModel } from '../../shared/models';
import type { ApiSettings, LoadOptions } from '../../shared/schemas';
import type { Backend, Endpoint } from '../backends/backend';
import { gateFor } from '../backends/upstream-gate';
import type { FitAnswer } from './jit-fit';
import { decide, isActive, loadable } from './jit-decide';

export interface JitState {
  /** The model loaded for an API request (its name), null when the loaded one (if any) was loaded by the user. */
  model: string | null;
  /** When it unloads if no request comes (ms since epoch); null: never, or nothing loaded for the API. */
  unloadAt: number | null;
}

export interface JitDeps {
  backend: Backend;
  settings: () => Promise<{ api: ApiSettings; loadOptions: LoadOptions }>;
  /** The models library (models.library). */
  installed: () => Promise<LibraryModel[]>;
  /** Loads as the UI does (the backend.start handler with no options). */
  start: (modelPath: string) => Promise<unknown>;
  /** The fit planner's verdict with the load options the UI would use. */
  fit: (model: LibraryModel, options: LoadOptions) => Promise<FitAnswer>;
  onChange?: (s: JitState) => void;
  log?: (m: string) => void;
  /** Tests: a shorter minute for the idle timer. */
  minuteMs?: number;
  /** Longest wait for a model to become ready (default 10 min; the backend's own stall timer usually ends it first). */
  readyTimeoutMs?: number;
  /** Longest wait for the old model's requests to finish before it is replaced (default 2 min). */
  drainTimeoutMs?: number;
}

export interface JitLoader {
  /**
   * The endpoint to send this request to, after loading the model it names if needed. Throws BACKEND_NOT_READY,
   * MODEL_NOT_INSTALLED, MODEL_NOT_LOADED, MODEL_DOES_NOT_FIT, BACKEND_LOAD_TIMEOUT or the load's own failure.
   */
  endpointFor(model: string | undefined, opts: { strict: boolean; signal?: AbortSignal }): Promise<Endpoint>;
  /** A request was served (restarts the idle timer of a model loaded for the API). */
  touch(): void;
  state(): JitState;
  dispose(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => AppError): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export function createJit(deps: JitDeps): JitLoader {
  const minuteMs = deps.minuteMs ?? 60_000;
  const readyTimeoutMs = deps.readyTimeoutMs ?? 10 * 60_000;
  const drainTimeoutMs = deps.drainTimeoutMs ?? 120_000;
  const log = deps.log ?? (() => undefined);
  const b = deps.backend;
  /** The run JIT started, while it lasts. */
  let apiRun: { runId: number; name: string } | null = null;
  let loading: Promise<void> | null = null;
  let idleMinutes = 30;
  let unloadAt: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  const state = (): JitState => ({ model: apiRun?.name ?? null, unloadAt: apiRun ? unloadAt : null });
  const changed = () => {
    try {
      deps.onChange?.(state());
    } catch (e) {
      log(`api status listener failed: ${(e as Error).message}`);
    }
  };
  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  // Another start or a stop ends what JIT loaded: the user's model is never unloaded by the timer.
  const offStatus = b.onStatus((s) => {
    if (apiRun && (s.runId !== apiRun.runId || !isActive(s.state))) {
      apiRun = null;
      unloadAt = null;
      clearTimer();
      changed();
    }
  });

  const arm = () => {
    clearTimer();
    if (!apiRun || idleMinutes <= 0 || disposed) {
      unloadAt = null;
      return;
    }
    unloadAt = Date.now() + idleMinutes * minuteMs;
    timer = setTimeout(onIdle, Math.max(0, unloadAt - Date.now()));
    timer.unref?.();
  };

  const onIdle = () => {
    timer = null;
    if (!apiRun || disposed) return;
    const ep = b.endpoint();
    // A reply still streaming counts as use: look again one idle period later.
    if (ep && gateFor(ep).stats().inFlight + gateFor(ep).stats().queued > 0) return arm();
    const name = apiRun.name;
    log(`unloading ${name}: no API request for ${idleMinutes} min (loaded on request)`);
    apiRun = null;
    unloadAt = null;
    changed();
    b.stop().catch((e: unknown) => log(`unloading ${name} failed: ${(e as Error).message}`));
  };

  const touch = () => {
    if (!apiRun) return;
    arm();
    changed();
  };

  /** Until the requests in flight on the current run are done (bounded): a swap must not cut someone's reply. */
  const drain = async () => {
    const end = Date.now() + drainTimeoutMs;
    for (;;) {
      const ep = b.endpoint();
      if (!ep) return;
      const st = gateFor(ep).stats();
      if (st.inFlight + st.queued === 0 || Date.now() >= end) return;
      await sleep(100);
    }
  };

  const waitReady = () =>
    withTimeout(
      b.waitReady(),
      readyTimeoutMs,
      () => new AppError('BACKEND_LOAD_TIMEOUT', { seconds: Math.round(readyTimeoutMs / 1000) }),
    );

  const load = async (model: LibraryModel) => {
    const s = await deps.settings();
    let verdict: FitAnswer = { fits: true };
    try {
      verdict = await deps.fit(model, s.loadOptions);
    } catch (e) {
      // A header the planner cannot read is llama-server's to judge (its own --fit guards the load).
      log(`fit check of ${model.name} skipped: ${(e as Error).message.slice(0, 200)}`);
    }
    if (!verdict.fits) throw new AppError('MODEL_DOES_NOT_FIT', { model: model.name, reason: verdict.reason });
    await drain();
    log(`loading ${model.name} for an API request`);
    await deps.start(model.path);
    await waitReady();
    apiRun = { runId: b.status().runId, name: model.name };
    arm();
    changed();
  };

  return {
    async endpointFor(model, opts) {
      for (let round = 0; round < 4; round++) {
        if (opts.signal?.aborted) throw new AppError('BAD_REQUEST', { reason: 'the client went away' });
        const s = await deps.settings();
        idleMinutes = s.api.jitIdleMinutes;
        const st = b.status();
        const where = st.target?.kind === 'external' ? st.target.url : undefined;
        const current = { state: st.state, model: st.model, kind: st.kind, ...(where ? { where } : {}) };
        let action = decide<LibraryModel>({ model, strict: opts.strict }, current, null, s.api.jitEnabled);
        if (action.kind === 'lookup') {
          const list = loadable(await deps.installed());
          action = decide({ model, strict: opts.strict }, current, list, s.api.jitEnabled);
        }
        if (action.kind === 'error') throw action.error;
        if (action.kind === 'serve') {
          const ep = b.endpoint();
          if (ep) {
            touch();
            return ep;
          }
          // Loading or starting: an Ollama client waits for it (Ollama loads on request too); an OpenAI one is told
          // BACKEND_NOT_READY as before, unless the load is one a request of ours began.
          if (!opts.strict && !loading) throw new AppError('BACKEND_NOT_READY');
          await (loading ?? waitReady());
          continue;
        }
        if (action.kind === 'load') {
          // One load at a time: a request arriving during another's load waits for it, then decides again.
          if (loading) await loading.catch(() => undefined);
          else {
            loading = load(action.model).finally(() => {
              loading = null;
            });
            await loading;
          }
        }
      }
      throw new AppError('BACKEND_NOT_READY');
    },
    touch,
    state,
    dispose() {
      disposed = true;
      clearTimer();
      offStatus();
    },
  };
}
