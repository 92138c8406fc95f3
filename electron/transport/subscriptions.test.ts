/**
 * Topical events (a conversation's stream, a chat.start reply) reach a client only for the topics it subscribed:
 * before subscriptions were keyed on (event, topic), every client received every reply's text.
 */
import { describe, expect, it } from 'vitest';
import type { EventName } from '../shared/contract';
import { createEventBus } from '../core/util/event-bus';
import { createSubscriptions, MAX_TOPICS_PER_EVENT } from './subscriptions';

const title = (conversationId: string) => ({ type: 'title', conversationId, title: `t-${conversationId}` }) as const;
const delta = (requestId: string) => ({ type: 'delta', requestId, content: requestId }) as const;

function client() {
  const bus = createEventBus((e) => {
    throw e;
  });
  const got: [EventName, unknown][] = [];
  const subs = createSubscriptions(bus, (event, payload) => got.push([event, payload]));
  return { bus, got, subs };
}

describe('createSubscriptions', () => {
  it('forwards a conversation stream only for the subscribed conversation', () => {
    const { bus, got, subs } = client();
    subs.add('conversation.stream', 'c1');
    bus.emit('conversation.stream', title('c1'));
    bus.emit('conversation.stream', title('c2'));
    expect(got).toEqual([['conversation.stream', title('c1')]]);
  });

  it('two clients on one bus each get their own request only', () => {
    const bus = createEventBus();
    const a: unknown[] = [];
    const b: unknown[] = [];
    createSubscriptions(bus, (_e, p) => a.push(p)).add('chat.event', 'req-a');
    createSubscriptions(bus, (_e, p) => b.push(p)).add('chat.event', 'req-b');
    bus.emit('chat.event', delta('req-a'));
    bus.emit('chat.event', delta('req-b'));
    expect(a).toEqual([delta('req-a')]);
    expect(b).toEqual([delta('req-b')]);
  });

  it.each([
    { why: 'no topic', topic: undefined },
    { why: 'empty topic', topic: '' },
    { why: 'not a string', topic: 42 },
    { why: 'characters no id has', topic: 'c1\n' },
    { why: 'too long', topic: 'x'.repeat(129) },
  ])('a topical subscription with $why gets nothing', ({ topic }) => {
    const { bus, got, subs } = client();
    subs.add('conversation.stream', topic);
    bus.emit('conversation.stream', title('c1'));
    expect(got).toEqual([]);
    expect(bus.listenerCount('conversation.stream')).toBe(0);
  });

  it('one bus listener per event however many topics; the last topic removed unsubscribes', () => {
    const { bus, got, subs } = client();
    subs.add('conversation.stream', 'c1');
    subs.add('conversation.stream', 'c2');
    subs.add('conversation.stream', 'c2');
    expect(bus.listenerCount('conversation.stream')).toBe(1);
    subs.remove('conversation.stream', 'c1');
    bus.emit('conversation.stream', title('c1'));
    bus.emit('conversation.stream', title('c2'));
    expect(got.map(([, p]) => (p as { conversationId: string }).conversationId)).toEqual(['c2']);
    subs.remove('conversation.stream', 'c2');
    expect(bus.listenerCount('conversation.stream')).toBe(0);
  });

  it('plain events ignore a topic and are forwarded whole; clear drops everything', () => {
    const { bus, got, subs } = client();
    subs.add('backend.log', 'whatever');
    subs.add('conversation.stream', 'c1');
    const line = { seq: 1, ts: 1, stream: 'stderr', text: 'x' } as const;
    bus.emit('backend.log', line);
    expect(got).toEqual([['backend.log', line]]);
    subs.clear();
    expect(bus.listenerCount('backend.log')).toBe(0);
    expect(bus.listenerCount('conversation.stream')).toBe(0);
  });

  it('a client cannot hold unbounded topics', () => {
    const { bus, got, subs } = client();
    for (let i = 0; i < MAX_TOPICS_PER_EVENT + 50; i++) subs.add('conversation.stream', `c${i}`);
    bus.emit('conversation.stream', title(`c${MAX_TOPICS_PER_EVENT + 10}`));
    bus.emit('conversation.stream', title('c0'));
    expect(got).toHaveLength(1);
  });
});
