import type { ChatMessage } from '@shared/schemas';
import type { UiMessage } from '../../stores/chat';

/**
 * What the model sees of the conversation: the visible text of each turn. R1's reasoning is not sent back
 * (DeepSeek's guidance), replies that produced nothing are dropped, and turns of the same role left next to
 * each other by that are joined, since some chat templates insist that roles alternate.
 */
export function historyFor(messages: readonly UiMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.content.trim() === '') continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content += `\n\n${m.content}`;
    else out.push({ role: m.role, content: m.content });
  }
  return out;
}
