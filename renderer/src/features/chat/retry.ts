/**
 * Retry of a reply cut short by the backend dying (crash, out of memory, hang): the same question is asked again and
 * the answer becomes a new version of the reply (‹ 2/2 ›), so the cut one stays reachable and nothing is overwritten.
 */
import type { MessageNode } from '@shared/chat-schemas';
import type { ContractClient } from '@shared/contract';
import { isInterruption } from '../model/recovery-view';
import { regenerate } from './controller';

/** Only the thread's last reply (an earlier one was the context of the turns after it), once it stopped streaming. */
export function canRetry(m: Pick<MessageNode, 'id' | 'role' | 'status' | 'error'>, leafId: string | null): boolean {
  return m.id === leafId && m.role === 'assistant' && m.status !== 'streaming' && isInterruption(m.error);
}

export function retryReply(client: ContractClient, replyId: string): Promise<void> {
  return regenerate(client, replyId);
}
