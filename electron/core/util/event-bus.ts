import type { EventBus, EventName, EventPayload } from '../../shared/contract';

/** In-process event bus; a throwing listener must not break the others or the emitter. */
export function createEventBus(onListenerError: (e: unknown) => void = () => undefined): EventBus {
  const listeners = new Map<EventName, Set<(p: never) => void>>();
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
      set.add(listener as (p: never) => void);
      return () => void set.delete(listener as (p: never) => void);
    },
  };
}
