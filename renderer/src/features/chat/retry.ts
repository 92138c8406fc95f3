/**
 * Retry of a reply cut short by the backend dying (crash, out of memory, hang): the same user turn is asked again
 * and its answer replaces the interrupted reply in place, so the conversation keeps its id and every other turn.
 */
import type { ContractClient } from '@shared/contract';
import type { ChatMessage } from '@shared/schemas';
import { useChat, type UiMessage } from '../../stores/chat';
import { isInterruption } from '../model/recovery-view';
import { isReplying, runReply } from './controller';
import { historyFor } from './history';

/** Only the conversation's last reply: an earlier one was the context of the turns after it. */
export function canRetry(messages: readonly UiMessage[], replyId: string): boolean {
  const last = messages[messages.length - 1];
  return !!last && last.id === replyId && last.role === 'assistant' && !last.streaming && isInterruption(last.error);
}

/** What to send again: the history before the user turn that led to the reply, then that turn. null: none. */
export function retryRequest(messages: readonly UiMessage[], replyId: string): ChatMessage[] | null {
  const at = messages.findIndex((m) => m.id === replyId);
  if (at <= 0 || messages[at]!.role !== 'assistant') return null;
  let u = at - 1;
  while (u >= 0 && messages[u]!.role !== 'user') u--;
  if (u < 0) return null;
  const turn = messages[u]!;
  return [...historyFor(messages.slice(0, u)), { role: 'user', content: turn.content }];
}

/** The interrupted reply, emptied and streaming again. */
export const freshReply = (): Partial<UiMessage> => ({
  content: '',
  reasoning: '',
  streaming: true,
  stopped: false,
  error: null,
  timings: null,
  finishReason: null,
  reasoningMs: null,
});

export async function retryReply(client: ContractClient, replyId: string, model: string | null): Promise<void> {
  const { messages } = useChat.getState();
  if (isReplying() || !canRetry(messages, replyId)) return;
  const request = retryRequest(messages, replyId);
  if (!request) return;
  useChat.getState().patch(replyId, freshReply);
  // No sampling: the core applies the saved settings.sampling, as for a new turn.
  await runReply(client, replyId, request, undefined, model);
}
