/**
 * IPC adapter: the Electron shell passes in "register handler" and "push event" functions (as Jan does), so this
 * file and the core never import electron. One channel per method keeps the preload's allow-list explicit.
 */
import { eventNames, ipcEventChannel, ipcInvokeChannel, methodNames, type Envelope, type EventBus, type Handlers } from '../shared/contract';
import { createDispatcher, invokeToEnvelope } from './dispatch';

export interface IpcHost {
  handle(channel: string, fn: (params: unknown) => Promise<Envelope>): void;
  send(channel: string, payload: unknown): void;
}

export function registerIpc(core: { handlers: Handlers; bus: EventBus }, host: IpcHost): () => void {
  const invoke = createDispatcher(core.handlers);
  for (const m of methodNames) host.handle(ipcInvokeChannel(m), (params) => invokeToEnvelope(invoke, m, params, { transport: 'ipc' }));
  const unsubs = eventNames.map((e) => core.bus.on(e, (payload) => host.send(ipcEventChannel(e), payload)));
  return () => unsubs.forEach((u) => u());
}
