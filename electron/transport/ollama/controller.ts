/**
 * Runs the Ollama-compatible server as the settings say: starts it when settings.api.ollamaEnabled turns on (or
 * the headless `--ollama-api` flag asks for it this run), stops it when it turns off, moves it when the port
 * changes. A port already taken (a real Ollama on 11434) gives the next free one of the ten above it, else one
 * from the system, and the state says so (portFallback) for Settings to show. Changes are applied one at a time.
 */
import type { ApiServerState } from '../../shared/contract-api';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { ApiSettings } from '../../shared/schemas';
import { startOllamaServer, type OllamaServer, type OllamaServerDeps } from './server';

export interface OllamaControllerDeps {
  server: Omit<OllamaServerDeps, 'origins'>;
  /** The current API settings. */
  settings: () => Promise<ApiSettings>;
  /** Subscribes to settings changes; returns the unsubscribe. */
  watch: (listener: (api: ApiSettings) => void) => () => void;
  /** `--ollama-api`: on for this run whatever the setting says. */
  forceEnabled?: boolean;
  onChange?: (s: ApiServerState) => void;
  log?: (m: string) => void;
  host?: string;
}

export interface OllamaController {
  /** Applies the settings now (and from now on, on every change). */
  start(): Promise<void>;
  state(): ApiServerState;
  close(): Promise<void>;
}

const FALLBACK_TRIES = 10;

export function createOllamaController(deps: OllamaControllerDeps): OllamaController {
  let server: OllamaServer | null = null;
  let asked: number | null = null;
  let origins: readonly string[] = [];
  let st: ApiServerState = { enabled: false, listening: false, urls: [], portFallback: false, error: null };
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  let unwatch: (() => void) | null = null;
  const log = deps.log ?? (() => undefined);

  const set = (next: ApiServerState) => {
    st = next;
    try {
      deps.onChange?.(st);
    } catch (e) {
      log(`Ollama API status listener failed: ${(e as Error).message}`);
    }
  };

  const listen = async (port: number): Promise<OllamaServer> => {
    const serverDeps = { ...deps.server, origins: () => origins };
    const at = (p: number) => startOllamaServer(serverDeps, { port: p, ...(deps.host ? { host: deps.host } : {}) });
    const busy = (e: unknown) => e instanceof AppError && e.code === 'SERVER_PORT_IN_USE';
    try {
      return await at(port);
    } catch (e) {
      if (!busy(e)) throw e;
    }
    for (let p = port + 1; p < port + FALLBACK_TRIES && p <= 65535; p++) {
      try {
        return await at(p);
      } catch (e) {
        if (!busy(e)) throw e;
      }
    }
    return at(0);
  };

  const stop = async () => {
    const s = server;
    server = null;
    asked = null;
    if (s) await s.close();
  };

  const apply = async (api: ApiSettings) => {
    origins = api.ollamaOrigins;
    const enabled = !closed && (api.ollamaEnabled || deps.forceEnabled === true);
    if (!enabled) {
      if (server) log('Ollama API: stopped');
      await stop();
      set({ enabled: false, listening: false, urls: [], portFallback: false, error: null });
      return;
    }
    if (server && asked === api.ollamaPort) return;
    await stop();
    try {
      const s = await listen(api.ollamaPort);
      if (closed) {
        await s.close();
        return;
      }
      server = s;
      asked = api.ollamaPort;
      const fallback = s.port !== api.ollamaPort;
      log(
        fallback
          ? `Ollama API: port ${api.ollamaPort} is taken; listening on ${s.url}`
          : `Ollama API: listening on ${s.url}`,
      );
      set({ enabled: true, listening: true, urls: [s.url], portFallback: fallback, error: null });
    } catch (e) {
      log(`Ollama API: could not listen: ${(e as Error).message}`);
      set({ enabled: true, listening: false, urls: [], portFallback: false, error: toErrorInfo(e) });
    }
  };

  const enqueue = (api: ApiSettings) => {
    chain = chain.then(() => apply(api)).catch((e: unknown) => log(`Ollama API: ${(e as Error).message}`));
    return chain;
  };

  return {
    async start() {
      unwatch ??= deps.watch((api) => void enqueue(api));
      await enqueue(await deps.settings());
    },
    state: () => st,
    async close() {
      closed = true;
      unwatch?.();
      unwatch = null;
      chain = chain.then(() => stop());
      await chain;
    },
  };
}
