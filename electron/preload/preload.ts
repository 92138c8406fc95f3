/**
 * Exposes exactly the contract to the renderer as `window.deeplocal`: an allow-listed invoke (one IPC channel per
 * contract method) and subscribe-returns-unsubscribe for contract events. Nothing else, no Node, no ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_NEW_PAGE,
  ipcEventChannel,
  ipcInvokeChannel,
  ipcSubscribeChannel,
  isEventName,
  isMethodName,
  isTopical,
  topicOf,
  type DeepLocalBridge,
  type Envelope,
  type EventName,
  type IpcTopicalSubscription,
} from '../shared/contract';

if (!process.contextIsolated) {
  throw new Error('DeepLocal requires contextIsolation');
}

// A new page (first load or reload): the main process forgets what the previous page subscribed to.
ipcRenderer.send(ipcSubscribeChannel, null, IPC_NEW_PAGE);

/**
 * Listeners per (event, topic) in this page; the main process is told when one gains its first or loses its last.
 * A topical event (a conversation's stream) is subscribed per topic, so main forwards only the topics shown here.
 */
const listenerCounts = new Map<string, number>();

function count(event: EventName, topic: string | undefined, delta: 1 | -1) {
  const key = topic === undefined ? event : `${event}\u0000${topic}`;
  const before = listenerCounts.get(key) ?? 0;
  const after = before + delta;
  if (after === 0) listenerCounts.delete(key);
  else listenerCounts.set(key, after);
  const name: EventName | IpcTopicalSubscription = topic === undefined ? event : { event, topic };
  if (before === 0 && after === 1) ipcRenderer.send(ipcSubscribeChannel, name, true);
  if (before === 1 && after === 0) ipcRenderer.send(ipcSubscribeChannel, name, false);
}

const bridge: DeepLocalBridge = {
  invoke(method, params): Promise<Envelope> {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'UNKNOWN_METHOD',
          message: `Unknown method "${String(method)}".`,
          params: { method: String(method) },
        },
      });
    }
    return ipcRenderer.invoke(ipcInvokeChannel(method), params) as Promise<Envelope>;
  },
  on(event, listener, topic) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const topical = isTopical(event);
    // As over WebSocket: a topical event without a topic never arrives.
    if (topical && typeof topic !== 'string') return () => undefined;
    const t = topical ? (topic as string) : undefined;
    const channel = ipcEventChannel(event);
    // One channel per event: a page showing two conversations receives both topics there; each listener takes its own.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => {
      if (t === undefined || topicOf(event, payload as never) === t) listener(payload);
    };
    ipcRenderer.on(channel, wrapped);
    count(event, t, 1);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(channel, wrapped);
      count(event, t, -1);
    };
  },
};

contextBridge.exposeInMainWorld('deeplocal', Object.freeze(bridge));
