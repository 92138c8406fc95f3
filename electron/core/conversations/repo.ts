/**
 * What the chat (compose/chat.ts, chat/*) needs of the conversation store. The SQLite store implements it; every
 * method is synchronous (one transaction per change) and throws AppError: CONVERSATION_NOT_FOUND, MESSAGE_NOT_FOUND,
 * DISK_FULL (the change is rolled back; what was there before stays), STORE_CORRUPT.
 */
import type { ConversationDetail, ConversationListItem, MessageNode, SearchHit } from '../../shared/chat-schemas';

export interface ConversationInit {
  title?: string;
  /** Default: true when there is no title (the first exchange names it), false when one is given. */
  titleAuto?: boolean;
  systemPrompt?: string | null;
  presetId?: string | null;
  model?: string | null;
}

export interface ConversationPatch {
  title?: string;
  titleAuto?: boolean;
  pinned?: boolean;
  systemPrompt?: string | null;
  presetId?: string | null;
  leafId?: string | null;
  model?: string | null;
}

export interface ConversationRepo {
  /**
   * Not deleted, pinned first, then newest first. `streaming`: some message has status 'streaming'. `messageCount`:
   * the messages of the thread on screen (root to leaf), not every version.
   */
  list(): ConversationListItem[];
  get(id: string): ConversationDetail;
  create(init: ConversationInit): ConversationDetail;
  update(id: string, patch: ConversationPatch): ConversationListItem;
  /**
   * Adds a node (its parent must be in the conversation, or null for a root) and makes it the leaf (the thread on
   * screen ends with what was just written); touches updatedAt; the model of an assistant node becomes the
   * conversation's model.
   */
  addMessage(conversationId: string, node: MessageNode): void;
  /** Nodes added in one transaction (a question and its reply: both or neither); the last becomes the leaf. */
  addMessages(conversationId: string, nodes: readonly MessageNode[]): void;
  /**
   * Changes fields of a node (the streaming reply's growing text, its end); one transaction. A patch of content
   * and/or reasoning only is the cheap path (one UPDATE: no search-index work, no updatedAt, no list change); the
   * text is indexed for search once the status leaves 'streaming'.
   */
  updateMessage(conversationId: string, messageId: string, patch: Partial<Omit<MessageNode, 'id' | 'parentId'>>): void;
  /** The path from the root to `leafId` (default: the conversation's leaf), root first. */
  thread(conversationId: string, leafId?: string | null): MessageNode[];
  /** Removes the node and its descendants; the leaf moves to the newest remaining sibling's branch, or the parent. */
  deleteMessage(conversationId: string, messageId: string): { removed: string[]; leafId: string | null };
  /** Soft delete: hidden from list/search until restore; purged at the next start. */
  delete(id: string): boolean;
  restore(id: string): boolean;
  fork(id: string, messageId: string): ConversationDetail;
  search(query: string, limit: number): SearchHit[];
  /** Every message left 'streaming' by an earlier run becomes 'interrupted'; returns how many. */
  markInterrupted(): number;
  close(): void;
}
