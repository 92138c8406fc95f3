/**
 * Exposes exactly the contract to the renderer as `window.deeplocal`: an allow-listed invoke (one IPC channel per
 * contract method) and subscribe-returns-unsubscribe for contract events. Nothing else, no Node, no ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcEventChannel, ipcInvokeChannel, isEventName, isMethodName, type DeepLocalBridge, type Envelope } from '../shared/contract';

if (!process.contextIsolated) {
  throw new Error('DeepLocal requires contextIsolation');
}

const bridge: DeepLocalBridge = {
  invoke(method, params): Promise<Envelope> {
    if (!isMethodName(method)) {
      return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method "${String(method)}".`, params: { method: String(method) } } });
    }
    return ipcRenderer.invoke(ipcInvokeChannel(method), params) as Promise<Envelope>;
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    const channel = ipcEventChannel(event);
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
};

contextBridge.exposeInMainWorld('deeplocal', Object.freeze(bridge));
