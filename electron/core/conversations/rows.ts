/** Rows of the conversation database as the contract's types, and back. */
import type { ConversationDetail, ConversationListItem, MessageNode } from '../../shared/chat-schemas';

export interface ConversationRow {
  id: string;
  title: string;
  title_auto: number;
  pinned: number;
  system_prompt: string | null;
  preset_id: string | null;
  leaf_id: string | null;
  model: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  thread_len: number;
  streaming?: number;
}

export interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: 'user' | 'assistant';
  content: string;
  reasoning: string;
  attachments: string;
  status: MessageNode['status'];
  finish_reason: string | null;
  timings: string | null;
  error: string | null;
  reasoning_ms: number | null;
  model: string | null;
  created_at: number;
}

/** A conversation's row with `streaming`: some message of it has status 'streaming' (partial index). */
export const LIST_SQL = `SELECT c.*, EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.status = 'streaming')
  AS streaming FROM conversations c`;

const json = <T>(s: string | null, fallback: T): T => {
  if (s === null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
};

export const toListItem = (r: ConversationRow): ConversationListItem => ({
  id: r.id,
  title: r.title,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  model: r.model,
  pinned: r.pinned === 1,
  messageCount: r.thread_len,
  streaming: r.streaming === 1,
});

export const toNode = (r: MessageRow): MessageNode => ({
  id: r.id,
  parentId: r.parent_id,
  role: r.role,
  content: r.content,
  reasoning: r.reasoning,
  attachments: json(r.attachments, []),
  createdAt: r.created_at,
  status: r.status,
  finishReason: r.finish_reason,
  timings: json(r.timings, null),
  error: json(r.error, null),
  reasoningMs: r.reasoning_ms,
  model: r.model,
});

export const toDetail = (r: ConversationRow, messages: MessageNode[]): ConversationDetail => ({
  ...toListItem(r),
  titleAuto: r.title_auto === 1,
  systemPrompt: r.system_prompt,
  presetId: r.preset_id,
  leafId: r.leaf_id,
  messages,
});

/** A node's columns (without conversation and seq), in the order of MESSAGE_COLUMNS. */
export const MESSAGE_COLUMNS =
  'id, conversation_id, parent_id, role, content, reasoning, attachments, status, finish_reason, timings, error, reasoning_ms, model, created_at';

export const messageValues = (conversationId: string, n: MessageNode) => [
  n.id,
  conversationId,
  n.parentId,
  n.role,
  n.content,
  n.reasoning,
  JSON.stringify(n.attachments),
  n.status,
  n.finishReason,
  n.timings === null ? null : JSON.stringify(n.timings),
  n.error === null ? null : JSON.stringify(n.error),
  n.reasoningMs,
  n.model,
  n.createdAt,
];

/** Column and encoded value for each field a message patch may change. */
export const MESSAGE_PATCH_COLUMNS: Record<string, [string, (v: unknown) => string | number | null]> = {
  role: ['role', (v) => v as string],
  content: ['content', (v) => v as string],
  reasoning: ['reasoning', (v) => v as string],
  attachments: ['attachments', (v) => JSON.stringify(v)],
  createdAt: ['created_at', (v) => v as number],
  status: ['status', (v) => v as string],
  finishReason: ['finish_reason', (v) => v as string | null],
  timings: ['timings', (v) => (v === null ? null : JSON.stringify(v))],
  error: ['error', (v) => (v === null ? null : JSON.stringify(v))],
  reasoningMs: ['reasoning_ms', (v) => v as number | null],
  model: ['model', (v) => v as string | null],
};
