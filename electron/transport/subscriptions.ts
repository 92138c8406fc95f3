/**
 * One client's event subscriptions (a WebSocket connection, an Electron renderer): each event is subscribed on the
 * bus at most once, whatever the client sends, and all of them go when the client does. Shared by http.ts and ipc.ts.
 */
import { isEventName, type EventBus, type EventName, type EventPayload } from '../shared/contract';

export interface Subscriptions {
  /** Starts forwarding `event` (a name from the client, checked here); again is a no-op. */
  add(event: unknown): void;
  remove(event: unknown): void;
  clear(): void;
}

export function createSubscriptions(
  bus: EventBus,
  forward: <E extends EventName>(event: E, payload: EventPayload<E>) => void,
): Subscriptions {
  const subs = new Map<EventName, () => void>();
  return {
    add(event) {
      if (isEventName(event) && !subs.has(event))
        subs.set(
          event,
          bus.on(event, (payload) => forward(event, payload)),
        );
    },
    remove(event) {
      if (!isEventName(event)) return;
      subs.get(event)?.();
      subs.delete(event);
    },
    clear() {
      for (const off of subs.values()) off();
      subs.clear();
    },
  };
}
