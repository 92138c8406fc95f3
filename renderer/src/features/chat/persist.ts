/** Turns on screen ⇄ saved conversations. Pure, so the mapping is tested without a server. */
import type { Conversation, StoredMessage } from '@shared/schemas';
import { newMessage, type UiMessage } from '../../stores/chat';

const TITLE_CHARS = 60;

export function titleFor(messages: readonly UiMessage[]): string {
  const first =
    messages
      .find((m) => m.role === 'user')
      ?.content.trim()
      .replace(/\s+/g, ' ') ?? '';
  return first.length > TITLE_CHARS ? `${first.slice(0, TITLE_CHARS - 1)}…` : first;
}

export function toStored(m: UiMessage): StoredMessage {
  return {
    role: m.role,
    content: m.content,
    ...(m.reasoning ? { reasoning: m.reasoning } : {}),
    ...(m.stopped ? { stopped: true } : {}),
    ...(m.timings ? { timings: m.timings } : {}),
    ...(m.error ? { error: m.error } : {}),
    ...(m.finishReason ? { finishReason: m.finishReason } : {}),
    ...(m.reasoningMs !== null ? { reasoningMs: m.reasoningMs } : {}),
  };
}

export function fromStored(m: StoredMessage): UiMessage {
  return {
    ...newMessage(m.role, m.content),
    reasoning: m.reasoning ?? '',
    stopped: m.stopped ?? false,
    timings: m.timings ?? null,
    error: m.error ?? null,
    finishReason: m.finishReason ?? null,
    reasoningMs: m.reasoningMs ?? null,
  };
}

export function toConversation(input: {
  id: string;
  createdAt: number;
  messages: readonly UiMessage[];
  model: string | null;
  now?: number;
}): Conversation {
  return {
    id: input.id,
    title: titleFor(input.messages),
    createdAt: input.createdAt,
    updatedAt: input.now ?? Date.now(),
    model: input.model,
    // A reply still streaming is saved when it ends; never save half a turn.
    messages: input.messages.filter((m) => !m.streaming).map(toStored),
  };
}
