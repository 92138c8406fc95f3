import type { EventBus, EventName, EventPayload } from '../../shared/contract';

/** In-process event bus; a throwing listener must not break the others or the emitter. */
export function createEventBus(onListenerError: (e: unknown) => void = () => undefined): EventBus {
  const listeners = new Map<EventName, Set<(p: never) => void>>();
  const watchers = new Map<EventName, Set<(count: number) => void>>();
  const notify = (event: EventName) => {
    const set = watchers.get(event);
    if (!set) return;
    const count = listeners.get(event)?.size ?? 0;
    for (const w of [...set]) {
      try {
        w(count);
      } catch (e) {
        onListenerError(e);
      }
    }
  };
  return {
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      const set = listeners.get(event);
      if (!set) return;
      for (const l of [...set]) {
        try {
          (l as (p: EventPayload<E>) => void)(payload);
        } catch (e) {
          onListenerError(e);
        }
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      // Wrapped so the same function subscribed twice counts (and unsubscribes) twice.
      const entry = ((p: EventPayload<E>) => listener(p)) as (p: never) => void;
      set.add(entry);
      notify(event);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        if (set.delete(entry)) notify(event);
      };
    },
    listenerCount(event: EventName) {
      return listeners.get(event)?.size ?? 0;
    },
    watchListeners(event: EventName, watcher: (count: number) => void) {
      let set = watchers.get(event);
      if (!set) watchers.set(event, (set = new Set()));
      set.add(watcher);
      return () => void set.delete(watcher);
    },
  };
}
