import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ContractClient } from '@shared/contract';
import type { Connection, ConnState } from './connection';

const ConnectionContext = createContext<Connection | null>(null);

export function ConnectionProvider({ connection, children }: { connection: Connection; children: ReactNode }) {
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

export function useConnection(): Connection {
  const c = useContext(ConnectionContext);
  if (!c) throw new Error('useConnection outside ConnectionProvider');
  return c;
}

export function useClient(): ContractClient {
  return useConnection().client;
}

export function useConnState(): ConnState {
  const c = useConnection();
  return useSyncExternalStore(c.subscribe, c.getState);
}
