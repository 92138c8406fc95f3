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
  type DeepLocalBridge,
  type Envelope,
  type EventName,
} from '../shared/contract';

if (!process.contextIsolated) {
  throw new Error('DeepLocal requires contextIsolation');
}

// A new page (first load or reload): the main process forgets what the previous page subscribed to.
ipcRenderer.send(ipcSubscribeChannel, null, IPC_NEW_PAGE);

/** Listeners per event in this page; the main process is told when an event gains its first or loses its last. */
const listenerCounts = new Map<EventName, number>();

function count(event: EventName, delta: 1 | -1) {
  const before = listenerCounts.get(event) ?? 0;
  const after = before + delta;
  listenerCounts.set(event, after);
  if (before === 0 && after === 1) ipcRenderer.send(ipcSubscribeChannel, event, true);
  if (before === 1 && after === 0) ipcRenderer.send(ipcSubscribeChannel, event, false);
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
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const channel = ipcEventChannel(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    count(event, 1);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(channel, wrapped);
      count(event, -1);
    };
  },
};

contextBridge.exposeInMainWorld('deeplocal', Object.freeze(bridge));
