/**
 * Contract client over one WebSocket (browser UI, CLI, tests, bench). The socket constructor is injected so the
 * same code runs in the browser (global WebSocket) and in Node (the `ws` package).
 */
import { AppError, type ErrorInfo } from './errors';
import {
  isEventName,
  isTopical,
  topicOf,
  type ContractClient,
  type EventName,
  type EventPayload,
  type MethodName,
  type ParamsIn,
  type Result,
  type WsServerFrame,
} from './contract';

/** Listeners are kept per (event, topic): the server sends a topical event only to the topics subscribed. */
const keyOf = (event: string, topic: string | undefined) => (topic === undefined ? event : `${event}\u0000${topic}`);

/** The subset of the WebSocket API both the browser and `ws` implement. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

/** The token travels as a subprotocol: browsers cannot set headers on a WebSocket, and URLs end up in logs. */
export const tokenProtocol = (token: string) => `deeplocal.token.${token}`;
export const WS_PROTOCOL = 'deeplocal.v1';
export const WS_PATH = '/api/ws';

export interface WsClient extends ContractClient {
  readonly ready: Promise<void>;
  close(): void;
  /** Fires when the connection drops (server stopped, network). */
  onClose(listener: (reason: string) => void): () => void;
}

export function connectWs(baseUrl: string, token: string, factory: SocketFactory): WsClient {
  const url = baseUrl.replace(/^http/, 'ws').replace(/\/$/, '') + WS_PATH;
  const socket = factory(url, [WS_PROTOCOL, tokenProtocol(token)]);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const closeListeners = new Set<(reason: string) => void>();
  let closed = false;
  const queue: string[] = [];

  const ready = new Promise<void>((resolve, reject) => {
    socket.onopen = () => {
      for (const f of queue.splice(0)) socket.send(f);
      resolve();
    };
    socket.onerror = () => reject(new AppError('UNAUTHORIZED'));
    socket.onclose = (ev) => {
      closed = true;
      const reason = ev.reason || `closed (${ev.code})`;
      reject(new Error(reason));
      for (const p of pending.values()) p.reject(new Error(`connection closed: ${reason}`));
      pending.clear();
      for (const l of closeListeners) l(reason);
    };
  });
  // Callers that never await `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);

  const send = (frame: object) => {
    const s = JSON.stringify(frame);
    if (socket.readyState === 1) socket.send(s);
    else if (!closed) queue.push(s);
    else throw new Error('connection closed');
  };

  socket.onmessage = (ev) => {
    const frame = JSON.parse(String(ev.data)) as WsServerFrame;
    if (frame.type === 'result') {
      const p = pending.get(frame.id);
      if (!p) return;
      pending.delete(frame.id);
      if (frame.ok) p.resolve(frame.result);
      else p.reject(AppError.from(frame.error as ErrorInfo));
    } else if (frame.type === 'event') {
      if (!isEventName(frame.event)) return;
      const topic = isTopical(frame.event) ? topicOf(frame.event, frame.payload as never) : undefined;
      const set = listeners.get(keyOf(frame.event, topic));
      if (set) for (const l of [...set]) l(frame.payload);
    }
  };

  return {
    ready,
    call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>> {
      const id = nextId++;
      return new Promise<Result<M>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        try {
          send({ type: 'call', id, method, params });
        } catch (e) {
          pending.delete(id);
          reject(e as Error);
        }
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void, topic?: string): () => void {
      // A topic means something only for a topical event; without one, a topical event never arrives.
      const t = isTopical(event) ? topic : undefined;
      const key = keyOf(event, t);
      const frame = t === undefined ? { event } : { event, topic: t };
      let set = listeners.get(key);
      if (!set) {
        set = new Set();
        listeners.set(key, set);
        if (!closed) send({ type: 'sub', ...frame });
      }
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => {
        const s = listeners.get(key);
        if (!s) return;
        s.delete(l);
        if (s.size === 0) {
          listeners.delete(key);
          if (!closed) send({ type: 'unsub', ...frame });
        }
      };
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close() {
      closed = true;
      socket.close(1000, 'client closed');
    },
  };
}
