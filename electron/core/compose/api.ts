/**
 * The API for other programs (issue 13): api.status and the named API keys (apiKeys.*). The servers themselves
 * (the Ollama-compatible one, LAN mode) are transports started by the shell (headless.ts, main.ts); they report
 * their state through `ApiServersControl`.
 * PLACEHOLDER until LAN mode lands: keys answer UNSUPPORTED; status says nothing listens.
 */
import type { ApiStatus } from '../../shared/contract-api';
import type { EventBus, Handlers } from '../../shared/contract';
import type { apiMethods } from '../../shared/contract-api';
import { AppError } from '../../shared/errors';

export interface ApiServersControl {
  status(): ApiStatus;
}

export interface ApiFeature {
  handlers: Pick<Handlers, keyof typeof apiMethods>;
  dispose(): Promise<void>;
}

export interface ApiDeps {
  dataDir: string;
  bus: EventBus;
  control: () => ApiServersControl | null;
  log: (msg: string) => void;
}

const idle = { enabled: false, listening: false, urls: [], portFallback: false, error: null };

export async function createApi(deps: ApiDeps): Promise<ApiFeature> {
  const no = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'API keys (not built yet)' });
  };
  return {
    handlers: {
      'api.status': async () =>
        deps.control()?.status() ?? {
          ollama: idle,
          lan: { ...idle, fingerprint: null },
          jit: { model: null, unloadAt: null },
        },
      'apiKeys.list': no,
      'apiKeys.create': no,
      'apiKeys.revoke': no,
    },
    async dispose() {},
  };
}
