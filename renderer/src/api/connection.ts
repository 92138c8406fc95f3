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
  const listeners = new Map<EventName, Set<Listener>>();
  const upstream = new Map<EventName, () => void>();

  const setState = (next: ConnState) => {
    state = next;
    for (const l of [...stateListeners]) l();
  };
  const fanOut = (event: EventName) => (payload: unknown) => {
    for (const l of [...(listeners.get(event) ?? [])]) l(payload);
  };
  const attach = (ws: WsClient, event: EventName) => {
    upstream.set(event, ws.on(event, fanOut(event)));
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
    for (const event of listeners.keys()) attach(ws, event);
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
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        if (current && state.status !== 'closed') attach(current, event);
      }
      const l = listener as Listener;
      set.add(l);
      return () => {
        const s = listeners.get(event);
        if (!s) return;
        s.delete(l);
        if (s.size === 0) {
          listeners.delete(event);
          const unsub = upstream.get(event);
          upstream.delete(event);
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
