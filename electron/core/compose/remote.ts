/**
 * External OpenAI-compatible servers (issue 15 §2): the saved list (remote/store.ts), their keys (remote/keys.ts:
 * the OS keychain through `keychain` where the shell offers one, else a 0600 file), checks (remote/check.ts), and
 * the `external` backend kind (remote/external-backend.ts) registered with the kind router. Keys never leave the
 * core: the list, events and logs say `hasKey` and where it is kept.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { RemoteCheck, RemoteServer } from '../../shared/backends';
import type { EventBus, Handlers, Params } from '../../shared/contract';
import { AppError, toErrorInfo } from '../../shared/errors';
import { defaultLoadOptions, type BackendStatus } from '../../shared/schemas';
import type { Backend } from '../backends/backend';
import type { BackendLog } from '../backends/backend-log';
import type { KindRouter } from '../backends/router';
import { checkServer } from '../remote/check';
import { ExternalBackend, remoteModelInfo } from '../remote/external-backend';
import { KeyStore, type KeychainPort } from '../remote/keys';
import { ServerStore, type StoredServer } from '../remote/store';
import { defaultServerName, normalizeServerUrl } from '../remote/url';

export type { KeychainPort };

export type RemoteHandlers = Pick<
  Handlers,
  | 'remote.list'
  | 'remote.check'
  | 'remote.add'
  | 'remote.update'
  | 'remote.remove'
  | 'remote.refresh'
  | 'remote.connect'
>;

/** Tests: shorter timeouts. */
export interface RemoteOptionsForTests {
  checkTimeoutMs?: number;
  healthIntervalMs?: number;
}

export interface RemoteFeatureDeps {
  dataDir: string;
  bus: EventBus;
  /** The outer (self-healing) backend: remote.connect goes through it. */
  backend: Backend;
  router: KindRouter;
  log: BackendLog;
  keychain?: KeychainPort;
  note: (msg: string) => void;
  options?: RemoteOptionsForTests;
}

export interface RemoteFeature {
  handlers: RemoteHandlers;
  /** The `external` backend (registered with the router). */
  backend: ExternalBackend;
  dispose(): Promise<void>;
}

export function createRemote(deps: RemoteFeatureDeps): RemoteFeature {
  const dir = path.join(deps.dataDir, 'remote');
  const log = (m: string) => deps.note(`remote: ${m}`);
  const store = new ServerStore(dir, log);
  const keys = new KeyStore(dir, deps.keychain, log);
  const timeoutMs = deps.options?.checkTimeoutMs ?? 10_000;

  const external = new ExternalBackend({
    log: deps.log,
    checkTimeoutMs: timeoutMs,
    ...(deps.options?.healthIntervalMs ? { healthIntervalMs: deps.options.healthIntervalMs } : {}),
    resolve: async (serverId) => {
      const server = await store.get(serverId);
      return { server, apiKey: (await keys.get(serverId)) ?? '' };
    },
  });
  deps.router.register(external);

  const toPublic = async (s: StoredServer): Promise<RemoteServer> => {
    const keyStorage = await keys.storageOf(s.id);
    return { ...s, hasKey: keyStorage !== null, keyStorage };
  };
  const list = async () => Promise.all((await store.list()).map(toPublic));
  const changed = async () => {
    try {
      deps.bus.emit('remote.changed', await list());
    } catch (e) {
      log(`could not announce the list: ${(e as Error).message}`);
    }
  };
  const check = (url: string, apiKey: string, trust: string | null): Promise<RemoteCheck> =>
    checkServer({ url, apiKey, trustFingerprint256: trust }, { timeoutMs });
  /** Checks a saved server and keeps the result. */
  const refresh = async (id: string): Promise<RemoteServer> => {
    const s = await store.get(id);
    const result = await check(s.url, (await keys.get(id)) ?? '', s.trustedFingerprint256);
    const saved = await store.update(id, (x) => ({ ...x, lastCheck: result }));
    void changed();
    return toPublic(saved);
  };
  /** The run now connected to this server, if any. */
  const connectedTo = (id: string) => {
    const t = deps.backend.status().target;
    return t?.kind === 'external' && t.serverId === id;
  };

  const handlers: RemoteHandlers = {
    'remote.list': () => list(),

    'remote.check': async (p) => {
      let url: string;
      try {
        url = normalizeServerUrl(p.url);
      } catch (e) {
        return {
          at: Date.now(),
          ok: false,
          latencyMs: null,
          flavor: 'unknown',
          models: [],
          certificate: null,
          error: toErrorInfo(e),
        };
      }
      return check(url, p.apiKey ?? '', p.trustFingerprint256 ?? null);
    },

    'remote.add': async (p) => {
      const url = normalizeServerUrl(p.url);
      const id = randomUUID();
      const server: StoredServer = {
        id,
        name: p.name ?? defaultServerName(url),
        url,
        trustedFingerprint256: p.trustFingerprint256?.toUpperCase() ?? null,
        addedAt: Date.now(),
        lastCheck: null,
      };
      await keys.set(id, p.apiKey || null);
      try {
        await store.add(server);
      } catch (e) {
        await keys.remove(id).catch(() => undefined);
        throw e;
      }
      log(`added ${server.name} (${url})`);
      return refresh(id);
    },

    'remote.update': async ({ id, patch }: Params<'remote.update'>) => {
      const url = patch.url === undefined ? undefined : normalizeServerUrl(patch.url);
      await store.get(id);
      if (patch.apiKey !== undefined) await keys.set(id, patch.apiKey || null);
      await store.update(id, (s) => ({
        ...s,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(url !== undefined ? { url } : {}),
        ...(patch.trustFingerprint256 !== undefined
          ? { trustedFingerprint256: patch.trustFingerprint256?.toUpperCase() ?? null }
          : {}),
      }));
      return refresh(id);
    },

    'remote.remove': async ({ id }) => {
      if (connectedTo(id)) await deps.backend.stop();
      const removed = await store.remove(id);
      await keys.remove(id);
      if (removed) {
        log(`removed server ${id}`);
        void changed();
      }
      return { removed };
    },

    'remote.refresh': ({ id }) => refresh(id),

    'remote.connect': async ({ id, model }): Promise<BackendStatus> => {
      const s = await store.get(id);
      const known = s.lastCheck?.models.find((m) => m.id === model) ?? null;
      await deps.backend.start({
        kind: 'external',
        external: { serverId: id, model },
        model: remoteModelInfo(s.url, model, known),
        // Not the previous llama.cpp run's options: its context is no fact of this model (status, /api/ps and the
        // Model page read options.contextSize). 0 = the model's own, which status.model has from the server's list.
        options: { ...defaultLoadOptions(), contextSize: 0 },
      });
      // The external run settles after one check of the server: its error is this call's answer.
      await external.waitReady().catch((e: unknown) => {
        throw e instanceof AppError ? e : new AppError('REMOTE_UNREACHABLE', { url: s.url, reason: String(e) });
      });
      return deps.backend.status();
    },
  };

  return {
    handlers,
    backend: external,
    async dispose() {
      await external.dispose();
    },
  };
}
