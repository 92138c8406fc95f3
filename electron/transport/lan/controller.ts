/**
 * LAN mode's controller: follows settings.api (lanEnabled, lanAddresses, lanPort, corsOrigins) and runs one HTTPS
 * listener per address (the loopback transport's handler with the LAN policy, see http.ts), with the certificate
 * made on first use. A change of switch, addresses or port stops and restarts the listeners; a change of CORS
 * origins applies to the next request without a restart. Its state (ApiServerState + fingerprint) is what
 * api.status reports; every change is announced through `onChange`.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ApiStatus } from '../../shared/contract-api';
import type { EventBus } from '../../shared/contract';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { ApiSettings, Settings } from '../../shared/schemas';
import { startHttpTransport, type HttpTransport, type HttpTransportOptions, type ProxyCount } from '../http';
import { ensureCertificate } from './certificate';
import { certificateSubject, lanUrl, planLan, type Interfaces } from './hosts';

export type LanState = ApiStatus['lan'];

export interface LanControllerDeps {
  core: HttpTransportOptions['core'] & {
    bus: EventBus;
    settings: { get(): Promise<Settings> };
    api: { keys: { verify(key: string): boolean } };
  };
  endpoint: HttpTransportOptions['endpoint'];
  dataDir: string;
  /** Shared with the loopback listener so /metrics counts every OpenAI request. */
  proxyCount?: ProxyCount;
  proxyHooks?: HttpTransportOptions['proxyHooks'];
  /** Each change of state (the shell passes core.api.statusChanged). */
  onChange?: (s: LanState) => void;
  log?: (msg: string) => void;
  /** Tests: the machine's interfaces and name. */
  interfaces?: () => Interfaces;
  hostname?: () => string;
}

export interface LanController {
  state(): LanState;
  /** Applies the current settings (resolves once the listeners are up or down). */
  apply(): Promise<void>;
  close(): Promise<void>;
}

const OFF: LanState = {
  enabled: false,
  listening: false,
  urls: [],
  portFallback: false,
  error: null,
  fingerprint: null,
};

/** What requires a restart when it changes (CORS origins do not). */
const bindKey = (a: ApiSettings) => JSON.stringify([a.lanEnabled, a.lanAddresses, a.lanPort]);

/** Pure: LAN_LISTEN_FAILED for a listen error (the errno kept as the reason, e.g. EADDRINUSE, EADDRNOTAVAIL). */
export function listenError(e: unknown, address: string, port: number): AppError {
  const code =
    e instanceof AppError && e.code === 'SERVER_PORT_IN_USE'
      ? 'EADDRINUSE'
      : ((e as NodeJS.ErrnoException)?.code ?? String((e as Error)?.message ?? e).slice(0, 100));
  return new AppError('LAN_LISTEN_FAILED', { address, port, reason: code });
}

export async function startLanController(deps: LanControllerDeps): Promise<LanController> {
  const log = deps.log ?? (() => undefined);
  const interfaces = deps.interfaces ?? (() => os.networkInterfaces());
  const hostname = deps.hostname ?? (() => os.hostname());
  let state: LanState = OFF;
  let servers: HttpTransport[] = [];
  let applied: string | null = null;
  let cors: readonly string[] = [];
  let closed = false;
  let chain: Promise<void> = Promise.resolve();

  const set = (next: LanState) => {
    state = next;
    try {
      deps.onChange?.(next);
    } catch (e) {
      log(`LAN status listener failed: ${String(e)}`);
    }
  };

  async function stopAll() {
    const old = servers;
    servers = [];
    await Promise.all(old.map((s) => s.close()));
  }

  async function start(api: ApiSettings) {
    const ifaces = interfaces();
    const plan = planLan(api.lanAddresses, ifaces, hostname());
    let cert;
    try {
      cert = await ensureCertificate(deps.dataDir, certificateSubject(api.lanAddresses, ifaces, hostname()));
    } catch (e) {
      set({ ...OFF, enabled: true, error: toErrorInfo(e) });
      return;
    }
    if (cert.created) log(`LAN mode: made a TLS certificate, SHA-256 ${cert.fingerprint}`);
    const errors: AppError[] = plan.invalid.map(
      (a) =>
        new AppError('LAN_LISTEN_FAILED', { address: a.slice(0, 100), port: api.lanPort, reason: 'not an IP address' }),
    );
    const urls: string[] = [];
    for (const bind of plan.binds) {
      try {
        const server = await startHttpTransport({
          core: deps.core,
          endpoint: deps.endpoint,
          // Never accepted on this listener (named keys only); required by the options.
          token: randomBytes(32).toString('base64url'),
          host: bind,
          port: api.lanPort,
          staticDir: null,
          apiKeys: deps.core.api.keys,
          lan: { tls: { key: cert.key, cert: cert.cert }, hosts: plan.hosts, corsOrigins: () => cors },
          ...(deps.proxyCount ? { proxyCount: deps.proxyCount } : {}),
          ...(deps.proxyHooks ? { proxyHooks: deps.proxyHooks } : {}),
        });
        servers.push(server);
        urls.push(...planLan([bind], ifaces, hostname()).urlHosts.map((h) => lanUrl(h, server.port)));
      } catch (e) {
        errors.push(listenError(e, bind, api.lanPort));
      }
    }
    if (errors.length) log(`LAN mode: ${errors.map((e) => `${e.params?.address}: ${e.params?.reason}`).join('; ')}`);
    set({
      enabled: true,
      listening: servers.length > 0,
      urls: [...new Set(urls)],
      portFallback: false,
      error: errors[0] ? toErrorInfo(errors[0]) : null,
      fingerprint: cert.fingerprint,
    });
  }

  const apply = (): Promise<void> => {
    const run = chain.then(async () => {
      if (closed) return;
      const api = (await deps.core.settings.get()).api;
      cors = api.corsOrigins;
      const key = bindKey(api);
      if (key === applied) return;
      applied = key;
      await stopAll();
      if (!api.lanEnabled) {
        if (state !== OFF) set(OFF);
        return;
      }
      await start(api);
    });
    chain = run.catch((e: unknown) => log(`LAN mode: ${String(e)}`));
    return run;
  };

  const off = deps.core.bus.on('settings.changed', (s) => {
    cors = s.api.corsOrigins;
    if (bindKey(s.api) !== applied) void apply().catch(() => undefined);
  });
  await apply();

  return {
    state: () => state,
    apply,
    async close() {
      closed = true;
      off();
      await chain;
      await stopAll();
    },
  };
}
