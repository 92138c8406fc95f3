/**
 * Runs replies outside React so a reply keeps streaming while the user looks at another page. Deltas are
 * batched (one store update per ~40 ms) so long answers do not re-render on every token.
 */
import type { ContractClient } from '@shared/contract';
import { streamChat, type ChatDone, type ChatHandle } from '@shared/chat-stream';
import type { ChatMessage, SamplingParams } from '@shared/schemas';
import { asErrorInfo } from '../../lib/errors';
import { newMessage, useChat } from '../../stores/chat';
import { historyFor } from './history';
import { fromStored, toConversation } from './persist';

/** Re-rendering markdown costs more as the reply grows, so long replies are redrawn less often. */
const flushDelay = (chars: number) => Math.min(250, 40 + chars / 400);

interface Active {
  handle: ChatHandle;
  /** Ends the reply locally when the backend cannot be told (connection gone). */
  abandon: () => void;
}
let active: Active | null = null;

export async function sendMessage(
  client: ContractClient,
  text: string,
  sampling: SamplingParams | undefined,
  model: string | null = null,
): Promise<void> {
  const chat = useChat.getState();
  text = text.trim();
  if (isReplying() || text === '') return;
  const history = historyFor(chat.messages);
  const user = newMessage('user', text);
  const reply = newMessage('assistant', '', true);
  chat.push(user);
  chat.push(reply);
  chat.setDraft('');
  await runReply(client, reply.id, [...history, { role: 'user', content: text }], sampling, model);
}

/** A reply is streaming (or being ended): a second one must wait. */
export const isReplying = (): boolean => active !== null || useChat.getState().activeRequestId !== null;

/**
 * Streams the answer to `messages` into the assistant message `replyId` (already on screen, streaming), then saves
 * the conversation. Used for a new turn and for a retry (retry.ts), which re-asks into the same message.
 */
export async function runReply(
  client: ContractClient,
  replyId: string,
  messages: ChatMessage[],
  sampling: SamplingParams | undefined,
  model: string | null,
): Promise<void> {
  const reply = { id: replyId };
  let total = 0;
  let content = '';
  let reasoning = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  let reasoningStart: number | null = null;
  let reasoningMs: number | null = null;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!content && !reasoning) return;
    const c = content;
    const r = reasoning;
    content = '';
    reasoning = '';
    useChat.getState().patch(reply.id, (m) => ({
      content: m.content + c,
      reasoning: m.reasoning + r,
      reasoningMs: m.reasoningMs ?? reasoningMs,
    }));
  };

  const handle = streamChat(client, {
    messages,
    ...(sampling ? { sampling } : {}),
    onDelta: (d) => {
      const now = performance.now();
      if (d.reasoning) {
        reasoningStart ??= now;
        reasoning += d.reasoning;
      }
      if (d.content) {
        if (reasoningStart !== null && reasoningMs === null) reasoningMs = now - reasoningStart;
        content += d.content;
      }
      total += (d.content?.length ?? 0) + (d.reasoning?.length ?? 0);
      timer ??= setTimeout(flush, flushDelay(total));
    },
  });

  let abandon!: () => void;
  const abandoned = new Promise<'abandoned'>((resolve) => (abandon = () => resolve('abandoned')));
  const me: Active = { handle, abandon };
  active = me;
  useChat.getState().setActive(handle.requestId);

  try {
    const done: ChatDone | 'abandoned' = await Promise.race([handle.done, abandoned]);
    flush();
    const thought = reasoningMs ?? (reasoningStart !== null ? performance.now() - reasoningStart : null);
    useChat.getState().patch(reply.id, () =>
      done === 'abandoned'
        ? { streaming: false, stopped: true, reasoningMs: thought }
        : {
            streaming: false,
            stopped: done.cancelled,
            timings: done.timings,
            finishReason: done.finishReason,
            reasoningMs: thought,
          },
    );
  } catch (e) {
    flush();
    useChat.getState().patch(reply.id, () => ({ streaming: false, error: asErrorInfo(e) }));
  } finally {
    if (active === me) {
      active = null;
      useChat.getState().setActive(null);
    }
    await saveConversation(client, model);
  }
}

/** Saves the conversation on screen (after every finished turn). A failure only costs this save, not the chat. */
export async function saveConversation(client: ContractClient, model: string | null): Promise<void> {
  const s = useChat.getState();
  if (s.messages.length === 0) return;
  try {
    await client.call(
      'conversations.save',
      toConversation({ id: s.conversationId, createdAt: s.createdAt, messages: s.messages, model }),
    );
  } catch (e) {
    console.warn('could not save the conversation', e);
  }
}

/** Opens a saved conversation (stopping a reply in progress first). */
export async function openConversation(client: ContractClient, id: string): Promise<void> {
  if (active) await stopReply();
  const c = await client.call('conversations.get', { id });
  useChat.getState().load(c.id, c.createdAt, c.messages.map(fromStored));
}

/** Stops the reply; what was generated so far is kept and marked stopped. */
export async function stopReply(): Promise<void> {
  const a = active;
  if (!a) return;
  try {
    await a.handle.cancel();
  } catch {
    a.abandon();
  }
}

/** The connection dropped: no done event will come, so end the reply here and keep what arrived. */
export function abandonReply(): void {
  active?.abandon();
}

export function newChat(): void {
  if (active) {
    void stopReply();
    active = null;
  }
  useChat.getState().clear();
}
