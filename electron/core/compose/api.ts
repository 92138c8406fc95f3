/**
 * The API for other programs (issue 13): api.status, api.interfaces and the named API keys (apiKeys.*). The
 * servers themselves (the Ollama-compatible one, LAN mode) are transports started by the shell (headless.ts,
 * main.ts); each reports its state through `ApiServersControl`, and calls `statusChanged` when it changes so
 * the `api.status` event goes out. The key store is here, in the core: the transports ask `keys.verify`.
 */
import os from 'node:os';
import type { EventBus, Handlers } from '../../shared/contract';
import type { apiMethods, ApiServerState, ApiStatus, NetworkAddress } from '../../shared/contract-api';
import { ApiKeyStore } from '../api/keys';

/** What the shell's servers report; a server the shell did not start reads as off. */
export interface ApiServersControl {
  ollama?: () => ApiServerState | undefined;
  lan?: () => ApiStatus['lan'] | undefined;
  /** Just-in-time loading (the model loaded for an API request, when it unloads). */
  jit?: () => ApiStatus['jit'] | undefined;
}

export interface ApiFeature {
  handlers: Pick<Handlers, keyof typeof apiMethods>;
  /** Named API keys, for the transports that accept them (`verify` is synchronous and constant-time). */
  keys: Pick<ApiKeyStore, 'verify'>;
  /** A server's state changed: sends `api.status` to subscribers. */
  statusChanged(): void;
  dispose(): Promise<void>;
}

export interface ApiDeps {
  dataDir: string;
  bus: EventBus;
  control: () => ApiServersControl | null;
  /** Just-in-time loading's state (the core's JIT loader). */
  jit?: () => ApiStatus['jit'];
  log: (msg: string) => void;
  /** Tests: the clock for created / last-used times. */
  now?: () => number;
}

const off: ApiServerState = { enabled: false, listening: false, urls: [], portFallback: false, error: null };

/** Pure: the status from what the shell reports (a missing server is off, missing JIT state is nothing loaded). */
export function combineStatus(control: ApiServersControl | null, jit?: () => ApiStatus['jit']): ApiStatus {
  return {
    ollama: control?.ollama?.() ?? off,
    lan: control?.lan?.() ?? { ...off, fingerprint: null },
    jit: jit?.() ?? control?.jit?.() ?? { model: null, unloadAt: null },
  };
}

/** Pure: the machine's non-internal addresses (os.networkInterfaces() shape), IPv4 first, link-local IPv6 left out. */
export function listAddresses(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): NetworkAddress[] {
  const out: NetworkAddress[] = [];
  for (const [name, infos] of Object.entries(ifaces))
    for (const i of infos ?? []) {
      if (i.internal) continue;
      // fe80:: needs a zone id (%eth0) to be reached; clients on the LAN use the IPv4 or a global IPv6 address.
      if (i.family === 'IPv6' && /^fe80:/i.test(i.address)) continue;
      out.push({ interface: name, address: i.address, family: i.family });
    }
  return out.sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
}

export async function createApi(deps: ApiDeps): Promise<ApiFeature> {
  const keys = await ApiKeyStore.open(deps.dataDir, {
    note: deps.log,
    onChange: (list) => deps.bus.emit('apiKeys.changed', list),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const status = () => combineStatus(deps.control(), deps.jit);
  return {
    handlers: {
      'api.status': async () => status(),
      'api.interfaces': async () => listAddresses(os.networkInterfaces()),
      'apiKeys.list': async () => keys.list(),
      'apiKeys.create': ({ name }) => keys.create(name),
      'apiKeys.revoke': ({ id }) => keys.revoke(id),
    },
    keys,
    statusChanged() {
      deps.bus.emit('api.status', status());
    },
    async dispose() {
      await keys.close();
    },
  };
}
