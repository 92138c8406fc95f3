/** A new message node of a conversation (the store keeps the tree; conversation-chat.ts adds them). Pure but for the id. */
import { randomBytes } from 'node:crypto';
import type { Attachment, MessageNode } from '../../shared/chat-schemas';

export const newMessageId = () => `m${randomBytes(12).toString('base64url')}`;

export function newNode(
  role: 'user' | 'assistant',
  parentId: string | null,
  content: string,
  attachments: Attachment[],
): MessageNode {
  return {
    id: newMessageId(),
    parentId,
    role,
    content,
    reasoning: '',
    attachments,
    createdAt: Date.now(),
    status: 'done',
    finishReason: null,
    timings: null,
    error: null,
    reasoningMs: null,
    model: null,
  };
}
