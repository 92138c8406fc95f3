/**
 * IPC adapter: the Electron shell passes in "register handler" and "subscription" hooks (as Jan does), so this
 * file and the core never import electron. One channel per method keeps the preload's allow-list explicit.
 * Events are forwarded per renderer only while it subscribes (see `ipcSubscribeChannel`), so producers that run
 * only while listened to (the telemetry sampler) stop when the window stops listening.
 */
import { IPC_NEW_PAGE, ipcEventChannel, ipcInvokeChannel, isEventName, methodNames, type Envelope, type EventBus, type EventName, type Handlers } from '../shared/contract';
import { createDispatcher, invokeToEnvelope } from './dispatch';

/** One renderer (an Electron webContents). */
export interface IpcSubscriber {
  readonly id: number;
  send(channel: string, payload: unknown): void;
  /**
   * Registers `reset`, called when this renderer's listeners are gone: its process crashed (`final` false: a reload
   * may subscribe again) or it was destroyed (`final` true). Called once per subscriber, on its first subscription.
   * (A reload or navigation is announced by the new page itself: see IPC_NEW_PAGE.)
   */
  onReset(reset: (final: boolean) => void): void;
}

export interface IpcHost {
  handle(channel: string, fn: (params: unknown) => Promise<Envelope>): void;
  /** Registers the listener for subscription messages (already checked to come from our own renderer). */
  onSubscription(fn: (subscriber: IpcSubscriber, event: unknown, subscribed: unknown) => void): void;
}

export function registerIpc(core: { handlers: Handlers; bus: EventBus }, host: IpcHost): () => void {
  const invoke = createDispatcher(core.handlers);
  for (const m of methodNames) host.handle(ipcInvokeChannel(m), (params) => invokeToEnvelope(invoke, m, params, { transport: 'ipc' }));

  const bySubscriber = new Map<number, Map<EventName, () => void>>();
  const dropAll = (subs: Map<EventName, () => void>) => {
    for (const off of subs.values()) off();
    subs.clear();
  };
  let closed = false;
  host.onSubscription((subscriber, event, subscribed) => {
    if (closed) return;
    if (event === null && subscribed === IPC_NEW_PAGE) {
      const subs = bySubscriber.get(subscriber.id);
      if (subs) dropAll(subs);
      return;
    }
    if (!isEventName(event)) return;
    let subs = bySubscriber.get(subscriber.id);
    if (!subs) {
      const own = (subs = new Map());
      bySubscriber.set(subscriber.id, own);
      subscriber.onReset((final) => {
        dropAll(own);
        if (final) bySubscriber.delete(subscriber.id);
      });
    }
    if (subscribed === true) {
      if (!subs.has(event)) subs.set(event, core.bus.on(event, (payload) => subscriber.send(ipcEventChannel(event), payload)));
    } else {
      subs.get(event)?.();
      subs.delete(event);
    }
  });
  return () => {
    closed = true;
    for (const subs of bySubscriber.values()) dropAll(subs);
    bySubscriber.clear();
  };
}
