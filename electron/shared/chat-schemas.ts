/**
 * Conversations owned by the core (issue 13): a conversation is a tree of messages. Every node names its parent;
 * siblings are versions (a regenerated reply is a sibling assistant node under the same question, an edited question
 * a sibling user node under the same parent). `leafId` picks the thread on screen: the path from the root to it.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';
import { ChatTimings, ConversationId, SamplingParams } from './schemas';

export const MessageId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export type MessageId = z.infer<typeof MessageId>;

/** A text file attached to a message; its text goes into the prompt after the message (see prompt building). */
export const Attachment = z.object({
  name: z.string().min(1).max(255),
  text: z.string().max(4_000_000),
});
export type Attachment = z.infer<typeof Attachment>;

/**
 * done: finished by the model (finishReason says why: stop, length); streaming: being written now;
 * stopped: the user stopped it; error: the backend failed it (error says why); interrupted: the app ended while it
 * streamed (found so at the next start).
 */
export const MessageStatus = z.enum(['done', 'streaming', 'stopped', 'error', 'interrupted']);
export type MessageStatus = z.infer<typeof MessageStatus>;

export const MessageNode = z.object({
  id: MessageId,
  parentId: MessageId.nullable(),
  role: z.enum(['user', 'assistant']),
  content: z.string().max(4_000_000),
  reasoning: z.string().max(4_000_000),
  attachments: z.array(Attachment).max(20),
  createdAt: z.number(),
  status: MessageStatus,
  finishReason: z.string().nullable(),
  /** Real figures from the backend; promptTokens is the backend's count even for a stopped or cut reply. */
  timings: ChatTimings.nullable(),
  error: ErrorInfo.nullable(),
  reasoningMs: z.number().nullable(),
  /** The model that wrote an assistant reply. */
  model: z.string().max(500).nullable(),
});
export type MessageNode = z.infer<typeof MessageNode>;

export const PresetId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** Sampling a preset sets; an absent field means "the model's default". */
export const PresetSampling = SamplingParams;

export const ChatPreset = z.object({
  id: PresetId,
  name: z.string().min(1).max(80),
  builtin: z.boolean(),
  /** null: none (DeepSeek's R1 guidance: no system prompt). */
  systemPrompt: z.string().max(100_000).nullable(),
  /** R1 guidance: instructions go in the user turn. The conversation's system prompt is put before the first question. */
  instructionsInUserTurn: z.boolean(),
  sampling: PresetSampling,
});
export type ChatPreset = z.infer<typeof ChatPreset>;

export const ConversationListItem = z.object({
  id: ConversationId,
  title: z.string().max(200),
  createdAt: z.number(),
  updatedAt: z.number(),
  model: z.string().nullable(),
  pinned: z.boolean(),
  messageCount: z.number().int(),
  /** A reply is streaming in it right now. */
  streaming: z.boolean(),
});
export type ConversationListItem = z.infer<typeof ConversationListItem>;

export const ConversationDetail = ConversationListItem.extend({
  /** The title was made from the first exchange (a rename makes it false; auto-titles never overwrite it). */
  titleAuto: z.boolean(),
  /** Used unless the preset puts instructions in the user turn; null: the preset's. */
  systemPrompt: z.string().max(100_000).nullable(),
  presetId: PresetId.nullable(),
  /** The last message of the thread on screen; null for an empty conversation. */
  leafId: MessageId.nullable(),
  /** Every node of the tree (all versions), in creation order. Streaming nodes carry their text so far. */
  messages: z.array(MessageNode).max(100_000),
});
export type ConversationDetail = z.infer<typeof ConversationDetail>;

/** A search hit: the snippet comes as segments so that a client renders highlights without HTML. */
export const SearchHit = z.object({
  conversationId: ConversationId,
  /** null: the hit is in the title. */
  messageId: MessageId.nullable(),
  title: z.string(),
  role: z.enum(['user', 'assistant']).nullable(),
  snippet: z.array(z.object({ text: z.string(), hit: z.boolean() })),
  updatedAt: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;

/**
 * Events of one conversation, sent only to clients subscribed to it (topic = conversationId).
 * message: a node was added or changed (a question, a reply starting, a reply ending with its stats);
 * delta: text appended to a streaming reply, `offset`/`reasoningOffset` are the lengths before it, so a client that
 *   opened the conversation mid-reply applies only what it does not have yet (and refetches on a gap);
 * leaf: the thread on screen changed (another window switched versions); title: the title changed.
 */
export const ConversationStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), conversationId: ConversationId, message: MessageNode }),
  z.object({
    type: z.literal('delta'),
    conversationId: ConversationId,
    messageId: MessageId,
    offset: z.number().int(),
    reasoningOffset: z.number().int(),
    content: z.string().optional(),
    reasoning: z.string().optional(),
  }),
  z.object({ type: z.literal('leaf'), conversationId: ConversationId, leafId: MessageId.nullable() }),
  z.object({ type: z.literal('title'), conversationId: ConversationId, title: z.string() }),
  z.object({ type: z.literal('removed'), conversationId: ConversationId, messageIds: z.array(MessageId) }),
]);
export type ConversationStreamEvent = z.infer<typeof ConversationStreamEvent>;

/** Tokens of the loaded context (the backend's tokenizer) the conversation's next request would use. */
export const ContextUsage = z.object({
  /** The thread's prompt as the backend would see it (chat template applied), plus the draft. */
  used: z.number().int(),
  /** The context per request (n_ctx of a slot). */
  limit: z.number().int(),
  /** Kept free for the reply (max_tokens, or a default share of the context). */
  reserve: z.number().int(),
  /** used + reserve ≤ limit. */
  fits: z.boolean(),
  /** false: counted without the backend (none running): characters / 4. */
  exact: z.boolean(),
});
export type ContextUsage = z.infer<typeof ContextUsage>;

export const ExportFormat = z.enum(['markdown', 'json']);
