/**
 * External OpenAI-compatible servers (issue 15 §2): the saved list (electron/core/remote/), their keys (the OS
 * keychain through `keychain` where the shell offers one, else a 0600 file), checks, and the `external` backend kind
 * registered with the kind router. SCAFFOLD: handlers answer UNSUPPORTED until their owner writes them.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Backend } from '../backends/backend';
import type { BackendLog } from '../backends/backend-log';
import type { KindRouter } from '../backends/router';

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

/** The OS keychain (Electron's safeStorage: Keychain, DPAPI, libsecret/kwallet). Absent in the browser shell. */
export interface KeychainPort {
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

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
  dispose(): Promise<void>;
}

const unsupported = (what: string) => async (): Promise<never> => {
  throw new AppError('UNSUPPORTED', { what });
};

export function createRemote(_deps: RemoteFeatureDeps): RemoteFeature {
  return {
    handlers: {
      'remote.list': unsupported('remote.list'),
      'remote.check': unsupported('remote.check'),
      'remote.add': unsupported('remote.add'),
      'remote.update': unsupported('remote.update'),
      'remote.remove': unsupported('remote.remove'),
      'remote.refresh': unsupported('remote.refresh'),
      'remote.connect': unsupported('remote.connect'),
    },
    async dispose() {},
  };
}
