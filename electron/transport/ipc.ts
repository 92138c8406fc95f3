/**
 * IPC adapter: the Electron shell passes in "register handler" and "subscription" hooks (as Jan does), so this
 * file and the core never import electron. One channel per method keeps the preload's allow-list explicit.
 * Events are forwarded per renderer only while it subscribes (see `ipcSubscribeChannel`), so producers that run
 * only while listened to (the telemetry sampler) stop when the window stops listening; a topical event (a
 * conversation's stream) only for the topics that renderer subscribed.
 */
import {
  IPC_NEW_PAGE,
  ipcEventChannel,
  ipcInvokeChannel,
  methodNames,
  type Envelope,
  type EventBus,
  type Handlers,
} from '../shared/contract';
import { createDispatcher, invokeToEnvelope } from './dispatch';
import { createSubscriptions, type Subscriptions } from './subscriptions';

/** The event name and topic of a subscription message (both still unchecked: Subscriptions validates them). */
export function splitSubscription(event: unknown): { name: unknown; topic: unknown } {
  if (event !== null && typeof event === 'object' && !Array.isArray(event)) {
    const o = event as Record<string, unknown>;
    return { name: o.event, topic: o.topic };
  }
  return { name: event, topic: undefined };
}

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

/**
 * `report` receives what a subscription message made throw (a renderer destroyed while we register its hooks:
 * Electron throws "Object has been destroyed"); the message is dropped and main goes on.
 */
export function registerIpc(
  core: { handlers: Handlers; bus: EventBus },
  host: IpcHost,
  report: (e: unknown) => void = (e) => console.error('DeepLocal: IPC:', e),
): () => void {
  const invoke = createDispatcher(core.handlers);
  // invokeToEnvelope is each call's top-level catch: whatever the renderer sends, the answer is an envelope.
  for (const m of methodNames)
    host.handle(ipcInvokeChannel(m), (params) => invokeToEnvelope(invoke, m, params, { transport: 'ipc' }));

  const bySubscriber = new Map<number, Subscriptions>();
  let closed = false;
  host.onSubscription((subscriber, event, subscribed) => {
    try {
      onSubscription(subscriber, event, subscribed);
    } catch (e) {
      report(e);
    }
  });
  function onSubscription(subscriber: IpcSubscriber, event: unknown, subscribed: unknown) {
    if (closed) return;
    let subs = bySubscriber.get(subscriber.id);
    if (!subs) {
      const own = createSubscriptions(core.bus, (e, payload) => subscriber.send(ipcEventChannel(e), payload));
      // Hooks first: if they cannot be registered (renderer already gone), nothing is kept that would never be reset.
      subscriber.onReset((final) => {
        own.clear();
        if (final) bySubscriber.delete(subscriber.id);
      });
      bySubscriber.set(subscriber.id, own);
      subs = own;
    }
    if (event === null && subscribed === IPC_NEW_PAGE) return subs.clear();
    // A topical subscription arrives as { event, topic } (IpcTopicalSubscription); anything else is a plain name.
    const { name, topic } = splitSubscription(event);
    if (subscribed === true) subs.add(name, topic);
    else subs.remove(name, topic);
  }
  return () => {
    closed = true;
    for (const subs of bySubscriber.values()) subs.clear();
    bySubscriber.clear();
  };
}
