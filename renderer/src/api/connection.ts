/**
 * The one place that picks the transport. In the Electron window the preload exposes `window.deeplocal` (IPC);
 * anywhere else the UI talks to the headless server over one WebSocket authenticated with the URL's token.
 * Everything else in the renderer sees only a ContractClient and the connection state.
 */
import type {
  ContractClient,
  DeepLocalBridge,
  EventName,
  EventPayload,
  MethodName,
  ParamsIn,
  Result,
} from '@shared/contract';
import { connectWs, type SocketLike, type WsClient } from '@shared/ws-client';
import { ipcClient } from '@shared/ipc-client';
import { takeToken } from './token';

export type ConnStatus = 'connecting' | 'open' | 'closed';
export interface ConnState {
  status: ConnStatus;
  /** Why the socket closed, as the server or browser said it. */
  reason: string | null;
}

export interface Connection {
  readonly transport: 'ipc' | 'ws';
  readonly client: ContractClient;
  /** False when the browser was opened without a token (the banner then says how to get one). */
  readonly hasToken: boolean;
  getState(): ConnState;
  subscribe(listener: () => void): () => void;
  /** Opens a fresh socket; listeners registered through `client.on` carry over. */
  reconnect(): void;
  /** Fires each time a socket opens after the first, so callers can refetch what they may have missed. */
  onReopen(listener: () => void): () => void;
}

type Listener = (payload: unknown) => void;

function ipcConnection(bridge: DeepLocalBridge): Connection {
  const state: ConnState = { status: 'open', reason: null };
  return {
    transport: 'ipc',
    client: ipcClient(bridge),
    hasToken: true,
    getState: () => state,
    subscribe: () => () => undefined,
    reconnect: () => undefined,
    onReopen: () => () => undefined,
  };
}

function wsConnection(origin: string, token: string | null): Connection {
  let current: WsClient | null = null;
  let opens = 0;
  let state: ConnState = { status: 'connecting', reason: null };
  const stateListeners = new Set<() => void>();
  const reopenListeners = new Set<() => void>();
  /** Listeners per (event, topic): a topical event (a conversation's stream) comes only for the topics named. */
  const listeners = new Map<string, { event: EventName; topic: string | undefined; set: Set<Listener> }>();
  const upstream = new Map<string, () => void>();
  const keyOf = (event: EventName, topic: string | undefined) =>
    topic === undefined ? event : `${event}\u0000${topic}`;

  const setState = (next: ConnState) => {
    state = next;
    for (const l of [...stateListeners]) l();
  };
  const fanOut = (key: string) => (payload: unknown) => {
    for (const l of [...(listeners.get(key)?.set ?? [])]) l(payload);
  };
  const attach = (ws: WsClient, key: string) => {
    const entry = listeners.get(key)!;
    upstream.set(key, ws.on(entry.event, fanOut(key), entry.topic));
  };

  const open = () => {
    current?.close();
    upstream.clear();
    // SocketLike types its handlers with `unknown` events; the DOM's take Event subtypes, hence the cast.
    const ws = connectWs(
      origin,
      token ?? '',
      (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike,
    );
    current = ws;
    setState({ status: 'connecting', reason: null });
    for (const key of listeners.keys()) attach(ws, key);
    ws.onClose((reason) => {
      if (current === ws) setState({ status: 'closed', reason });
    });
    ws.ready.then(
      () => {
        if (current !== ws) return;
        setState({ status: 'open', reason: null });
        if (opens++ > 0) for (const l of [...reopenListeners]) l();
      },
      () => undefined,
    );
  };

  const client: ContractClient = {
    call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>> {
      if (!current) return Promise.reject(new Error('not connected'));
      return current.call(method, params);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void, topic?: string): () => void {
      const key = keyOf(event, topic);
      let entry = listeners.get(key);
      if (!entry) {
        entry = { event, topic, set: new Set() };
        listeners.set(key, entry);
        if (current && state.status !== 'closed') attach(current, key);
      }
      const l = listener as Listener;
      entry.set.add(l);
      return () => {
        const e = listeners.get(key);
        if (!e) return;
        e.set.delete(l);
        if (e.set.size === 0) {
          listeners.delete(key);
          const unsub = upstream.get(key);
          upstream.delete(key);
          try {
            unsub?.();
          } catch {
            // The socket is already gone; nothing to unsubscribe from.
          }
        }
      };
    },
  };

  open();
  return {
    transport: 'ws',
    client,
    hasToken: !!token,
    getState: () => state,
    subscribe(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    reconnect: open,
    onReopen(listener) {
      reopenListeners.add(listener);
      return () => reopenListeners.delete(listener);
    },
  };
}

export function createConnection(): Connection {
  const bridge = (window as Window & { deeplocal?: DeepLocalBridge }).deeplocal;
  if (bridge) return ipcConnection(bridge);
  const token = takeToken({
    href: location.href,
    storage: sessionStorage,
    replaceUrl: (url) => history.replaceState(history.state, '', url),
  });
  return wsConnection(location.origin, token);
}
