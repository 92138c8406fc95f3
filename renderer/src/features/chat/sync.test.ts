/**
 * The order of opening a conversation mid-reply: subscribe, fetch, then apply what came meanwhile from the length we
 * hold. A stand-in client (events pushed by hand, conversations.get answered when the test says) makes the races
 * deterministic; the real transport and core are covered end to end by e2e/chat-thread.spec.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationDetail, ConversationStreamEvent, MessageNode } from '@shared/chat-schemas';
import type { ContractClient } from '@shared/contract';
import { useChat } from '../../stores/chat';
import { closeConversation, expectLeaf, openConversation } from './sync';

const node = (id: string, parentId: string | null, role: 'user' | 'assistant', o: Partial<MessageNode> = {}) =>
  ({
    id,
    parentId,
    role,
    content: '',
    reasoning: '',
    attachments: [],
    createdAt: 1,
    status: 'done',
    finishReason: null,
    timings: null,
    error: null,
    reasoningMs: null,
    model: null,
    ...o,
  }) satisfies MessageNode;

const detail = (messages: MessageNode[], leafId: string | null): ConversationDetail => ({
  id: 'c1',
  title: '',
  createdAt: 1,
  updatedAt: 1,
  model: null,
  pinned: false,
  messageCount: messages.length,
  streaming: messages.some((m) => m.status === 'streaming'),
  titleAuto: false,
  systemPrompt: null,
  presetId: null,
  leafId,
  messages,
});

function standIn() {
  let listener: ((ev: ConversationStreamEvent) => void) | null = null;
  const gets: ((d: ConversationDetail) => void)[] = [];
  const client = {
    call: vi.fn((method: string) => {
      if (method !== 'conversations.get') throw new Error(method);
      return new Promise<ConversationDetail>((resolve) => gets.push(resolve));
    }),
    on: vi.fn((_event: string, l: (ev: ConversationStreamEvent) => void, topic?: string) => {
      expect(topic).toBe('c1');
      listener = l;
      return () => (listener = null);
    }),
  } as unknown as ContractClient;
  const delta = (offset: number, content: string): ConversationStreamEvent => ({
    type: 'delta',
    conversationId: 'c1',
    messageId: 'a1',
    offset,
    reasoningOffset: 0,
    content,
  });
  return {
    client,
    push: (ev: ConversationStreamEvent) => listener?.(ev),
    delta,
    answerGet: (d: ConversationDetail) => gets.shift()!(d),
    gets: () => gets.length,
  };
}

const text = () => useChat.getState().nodes.a1?.content;

beforeEach(() => {
  vi.useFakeTimers();
  useChat.getState().clear();
});
afterEach(() => {
  closeConversation();
  vi.useRealTimers();
});

describe('opening a conversation mid-reply', () => {
  it('subscribes before fetching, and applies what came meanwhile without repeating what the fetch had', async () => {
    const s = standIn();
    const opened = openConversation(s.client, 'c1');
    expect(s.client.on).toHaveBeenCalledBefore(s.client.call as never);
    s.push(s.delta(0, 'Hello')); // already in the snapshot below
    s.push(s.delta(5, ' wor')); // arrives while the fetch is in flight: newer than the snapshot
    s.answerGet(
      detail(
        [node('u1', null, 'user'), node('a1', 'u1', 'assistant', { status: 'streaming', content: 'Hello' })],
        'a1',
      ),
    );
    await opened;
    s.push(s.delta(9, 'ld'));
    vi.runAllTimers();
    expect(text()).toBe('Hello world');
    expect(useChat.getState().thread).toEqual(['u1', 'a1']);
    expect(useChat.getState().streamingId).toBe('a1');
  });

  it('a gap (text missing between) fetches the conversation again', async () => {
    const s = standIn();
    const opened = openConversation(s.client, 'c1');
    s.answerGet(
      detail([node('u1', null, 'user'), node('a1', 'u1', 'assistant', { status: 'streaming', content: 'Hi' })], 'a1'),
    );
    await opened;
    s.push(s.delta(10, 'later'));
    expect(s.gets()).toBe(1);
    s.push(s.delta(15, 'more')); // held until the refetch answers
    s.answerGet(
      detail(
        [node('u1', null, 'user'), node('a1', 'u1', 'assistant', { status: 'streaming', content: 'Hi there, later' })],
        'a1',
      ),
    );
    await vi.waitFor(() => expect(useChat.getState().nodes.a1?.content.startsWith('Hi there')).toBe(true));
    vi.runAllTimers();
    expect(text()).toBe('Hi there, latermore');
  });

  it('batches deltas into one store update, and the final message is the word on the text', async () => {
    const s = standIn();
    const opened = openConversation(s.client, 'c1');
    s.answerGet(detail([node('u1', null, 'user'), node('a1', 'u1', 'assistant', { status: 'streaming' })], 'a1'));
    await opened;
    let updates = 0;
    const off = useChat.subscribe(() => updates++);
    for (let i = 0; i < 50; i++) s.push(s.delta(i, 'x'));
    expect(updates).toBe(0);
    vi.runAllTimers();
    expect(updates).toBe(1);
    expect(text()).toBe('x'.repeat(50));
    s.push({
      type: 'message',
      conversationId: 'c1',
      message: node('a1', 'u1', 'assistant', { status: 'stopped', content: 'x'.repeat(50) }),
    });
    expect(useChat.getState().streamingId).toBeNull();
    off();
  });

  it('follows the thread as it grows, and a regenerated version once our request names it', async () => {
    const s = standIn();
    const opened = openConversation(s.client, 'c1');
    s.answerGet(detail([node('u1', null, 'user'), node('a1', 'u1', 'assistant')], 'a1'));
    await opened;
    // A sibling of a1 (regenerate) is not under the leaf: the thread stays until told.
    s.push({ type: 'message', conversationId: 'c1', message: node('a2', 'u1', 'assistant', { status: 'streaming' }) });
    expect(useChat.getState().leafId).toBe('a1');
    expectLeaf('a2');
    expect(useChat.getState().thread).toEqual(['u1', 'a2']);
    // A question under the leaf (from this window or another) is followed.
    s.push({ type: 'message', conversationId: 'c1', message: node('u2', 'a2', 'user') });
    expect(useChat.getState().leafId).toBe('u2');
    s.push({ type: 'leaf', conversationId: 'c1', leafId: 'a1' });
    expect(useChat.getState().thread).toEqual(['u1', 'a1']);
  });
});
