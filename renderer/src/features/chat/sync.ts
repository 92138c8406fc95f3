/**
 * Keeps the store in step with the core's copy of the conversation on screen. Opening one subscribes to its topic
 * first, then fetches it, then applies the events that came meanwhile, so nothing falls between the two; a delta
 * applies only from the length we hold (a replay is skipped, a gap refetches). Deltas are batched into one store
 * update per frame-ish interval, longer as the reply grows, so a token costs a string append, not a render.
 */
import type { ConversationDetail, ConversationStreamEvent } from '@shared/chat-schemas';
import type { ContractClient } from '@shared/contract';
import { asErrorInfo } from '../../lib/errors';
import { useChat } from '../../stores/chat';
import { tailOf } from './tree';

/** Re-rendering a long reply costs more, so long replies are redrawn less often. */
const flushDelay = (chars: number) => Math.min(200, 33 + chars / 500);

interface Session {
  id: string;
  client: ContractClient;
  off: () => void;
  /** Events held while a fetch is in flight; null when applied as they come. */
  held: ConversationStreamEvent[] | null;
  pending: Map<string, { content: string; reasoning: string }>;
  timer: ReturnType<typeof setTimeout> | null;
  /** A reply we started: the thread moves to it once it is here. */
  expectLeaf: string | null;
  closed: boolean;
}

let session: Session | null = null;

export const openId = (): string | null => session?.id ?? null;

/** Shows conversation `id` (`known`: its detail already in hand, e.g. just created or forked). */
export async function openConversation(client: ContractClient, id: string, known?: ConversationDetail): Promise<void> {
  if (session?.id === id && !session.closed && !known) return;
  closeConversation();
  const s: Session = {
    id,
    client,
    off: () => undefined,
    held: [],
    pending: new Map(),
    timer: null,
    expectLeaf: null,
    closed: false,
  };
  session = s;
  const chat = useChat.getState();
  if (chat.meta?.id !== id) {
    chat.clear();
    chat.setLoading(true);
  }
  s.off = client.on('conversation.stream', (ev) => onEvent(s, ev), id);
  await fetchInto(s, known);
}

/** Leaves the conversation on screen for a new chat. */
export function closeConversation(): void {
  const s = session;
  if (!s) return;
  s.closed = true;
  s.off();
  if (s.timer) clearTimeout(s.timer);
  session = null;
}

/** Fetches the conversation again (a gap in the stream, a reconnect) and applies what came meanwhile. */
export function refetch(): void {
  const s = session;
  if (s && !s.closed && s.held === null) {
    s.held = [];
    void fetchInto(s);
  }
}

/** Our own request started reply `id`: the thread follows it (a regenerated version is not under the leaf). */
export function expectLeaf(id: string): void {
  const s = session;
  if (!s) return;
  if (useChat.getState().nodes[id]) useChat.getState().setLeaf(id);
  else s.expectLeaf = id;
}

async function fetchInto(s: Session, known?: ConversationDetail): Promise<void> {
  let detail: ConversationDetail;
  try {
    detail = known ?? (await s.client.call('conversations.get', { id: s.id }));
  } catch (e) {
    if (session !== s) return;
    s.held = null;
    useChat.getState().setLoading(false, asErrorInfo(e));
    return;
  }
  if (session !== s) return;
  s.pending.clear();
  useChat.getState().load(detail);
  const held = s.held ?? [];
  s.held = null;
  for (const ev of held) apply(s, ev);
}

function onEvent(s: Session, ev: ConversationStreamEvent): void {
  if (session !== s || ev.conversationId !== s.id) return;
  if (s.held) s.held.push(ev);
  else apply(s, ev);
}

function apply(s: Session, ev: ConversationStreamEvent): void {
  const chat = useChat.getState();
  switch (ev.type) {
    case 'delta': {
      const node = chat.nodes[ev.messageId];
      if (!node) return refetch();
      const p = s.pending.get(ev.messageId) ?? { content: '', reasoning: '' };
      const content = tailOf(node.content.length + p.content.length, ev.offset, ev.content);
      const reasoning = tailOf(node.reasoning.length + p.reasoning.length, ev.reasoningOffset, ev.reasoning);
      if (content === null || reasoning === null) return refetch();
      if (!content && !reasoning) return;
      p.content += content;
      p.reasoning += reasoning;
      s.pending.set(ev.messageId, p);
      s.timer ??= setTimeout(() => flush(s), flushDelay(node.content.length + node.reasoning.length));
      return;
    }
    case 'message':
      // The node is the core's word on its text so far: what we batched is in it.
      flush(s);
      chat.upsert(ev.message);
      if (s.expectLeaf === ev.message.id) {
        s.expectLeaf = null;
        chat.setLeaf(ev.message.id);
      }
      return;
    case 'leaf':
      chat.setLeaf(ev.leafId);
      return;
    case 'title':
      chat.setMeta({ title: ev.title });
      return;
    case 'removed':
      flush(s);
      chat.remove(ev.messageIds);
      return;
  }
}

function flush(s: Session): void {
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  if (s.pending.size === 0 || session !== s) return;
  const batch = new Map(s.pending);
  s.pending.clear();
  useChat.getState().append(batch);
}
