/**
 * One client's event subscriptions (a WebSocket connection, an Electron renderer): each event is subscribed on the
 * bus at most once, whatever the client sends, and all of them go when the client does. Shared by http.ts and ipc.ts.
 *
 * Topical events (eventTopics in contract.ts: a conversation's stream, a chat.start reply) are keyed on
 * (event, topic): one is forwarded only when the client subscribed with its topic, and a subscription to a topical
 * event without a (valid) topic forwards nothing, so a client never sees another conversation's or request's text.
 */
import {
  EventTopic,
  isEventName,
  isTopical,
  topicOf,
  type EventBus,
  type EventName,
  type EventPayload,
} from '../shared/contract';

export interface Subscriptions {
  /** Starts forwarding `event` (a name from the client, checked here) for `topic` where it is topical; again is a no-op. */
  add(event: unknown, topic?: unknown): void;
  remove(event: unknown, topic?: unknown): void;
  clear(): void;
}

/** Topics one client may hold per event: enough for every open window, bounded against a hostile client. */
export const MAX_TOPICS_PER_EVENT = 1000;

interface Entry {
  off: () => void;
  /** null: not topical (everything is forwarded). */
  topics: Set<string> | null;
}

export function createSubscriptions(
  bus: EventBus,
  forward: <E extends EventName>(event: E, payload: EventPayload<E>) => void,
): Subscriptions {
  const subs = new Map<EventName, Entry>();
  const validTopic = (t: unknown): string | null => (EventTopic.safeParse(t).success ? (t as string) : null);
  return {
    add(event, topic) {
      if (!isEventName(event)) return;
      if (!isTopical(event)) {
        if (!subs.has(event)) subs.set(event, { off: bus.on(event, (p) => forward(event, p)), topics: null });
        return;
      }
      const t = validTopic(topic);
      if (t === null) return;
      let entry = subs.get(event);
      if (!entry) {
        const topics = new Set<string>();
        const off = bus.on(event, (p) => {
          const of = topicOf(event, p);
          if (of !== undefined && topics.has(of)) forward(event, p);
        });
        subs.set(event, (entry = { off, topics }));
      }
      if (entry.topics!.size < MAX_TOPICS_PER_EVENT) entry.topics!.add(t);
    },
    remove(event, topic) {
      if (!isEventName(event)) return;
      const entry = subs.get(event);
      if (!entry) return;
      if (entry.topics) {
        const t = validTopic(topic);
        if (t === null) return;
        entry.topics.delete(t);
        if (entry.topics.size > 0) return;
      }
      entry.off();
      subs.delete(event);
    },
    clear() {
      for (const e of subs.values()) e.off();
      subs.clear();
    },
  };
}
