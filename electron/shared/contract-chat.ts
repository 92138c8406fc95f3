/**
 * Conversations and chat owned by the core (issue 13). The UI names a conversation and the core stores the question,
 * streams the reply into it (persisting the partial text as it grows) and tells the conversation's subscribers.
 * `chat.start` / `chat.cancel` (contract.ts) stay for stateless replies (scripts, the bench).
 */
import { z } from 'zod';
import {
  Attachment,
  ChatPreset,
  ContextUsage,
  ConversationDetail,
  ConversationListItem,
  ConversationStreamEvent,
  ExportFormat,
  MessageId,
  PresetId,
  SearchHit,
} from './chat-schemas';
import { ConversationId, SamplingParams } from './schemas';

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const empty = z.strictObject({});
const byId = z.strictObject({ id: ConversationId });

export const chatMethods = {
  /** Newest first (pinned ones first of all). Deleted ones (within their undo window) are left out. */
  'conversations.list': method(empty, z.array(ConversationListItem)),
  'conversations.get': method(byId, ConversationDetail),
  'conversations.create': method(
    z.strictObject({
      title: z.string().max(200).optional(),
      systemPrompt: z.string().max(100_000).nullable().optional(),
      presetId: PresetId.nullable().optional(),
    }),
    ConversationDetail,
  ),
  /** Rename (titleAuto becomes false), pin, system prompt, preset, or the thread on screen (a version switch). */
  'conversations.update': method(
    z.strictObject({
      id: ConversationId,
      title: z.string().min(1).max(200).optional(),
      pinned: z.boolean().optional(),
      systemPrompt: z.string().max(100_000).nullable().optional(),
      presetId: PresetId.nullable().optional(),
      leafId: MessageId.optional(),
    }),
    ConversationListItem,
  ),
  /** Moves it out of the list; `conversations.restore` brings it back until the app quits (then it is gone). */
  'conversations.delete': method(byId, z.object({ deleted: z.boolean() })),
  'conversations.restore': method(byId, z.object({ restored: z.boolean() })),
  /** Deletes a message and everything after it in its branch; the thread moves to a sibling version or the parent. */
  'conversations.deleteMessage': method(
    z.strictObject({ id: ConversationId, messageId: MessageId }),
    ConversationDetail,
  ),
  /** A new conversation holding the thread from the root up to and including `messageId`. */
  'conversations.fork': method(z.strictObject({ id: ConversationId, messageId: MessageId }), ConversationDetail),
  /** Full-text search across all conversations (titles and messages), best hits first. */
  'conversations.search': method(
    z.strictObject({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(200).optional() }),
    z.array(SearchHit),
  ),
  /** One conversation (ids of one) or all of them (ids absent), as Markdown or as our JSON. */
  'conversations.export': method(
    z.strictObject({ ids: z.array(ConversationId).min(1).max(100_000).optional(), format: ExportFormat }),
    z.object({ fileName: z.string(), mimeType: z.string(), text: z.string() }),
  ),
  /** Our JSON export back in: every conversation gets new ids, nothing is overwritten. */
  'conversations.import': method(
    z.strictObject({ text: z.string().min(1).max(30_000_000) }),
    z.object({ imported: z.number().int(), ids: z.array(ConversationId) }),
  ),

  /**
   * Asks the model. Without editOf: a new question under `parentId` (default: the current leaf). With editOf: the
   * question replaces that user message as a new version (a sibling; the old branch stays reachable).
   * `overflow: 'dropOldest'` leaves the oldest turns out of the prompt when it would not fit (else CONTEXT_OVERFLOW).
   */
  'chat.send': method(
    z.strictObject({
      conversationId: ConversationId,
      content: z.string().max(4_000_000),
      attachments: z.array(Attachment).max(20).optional(),
      parentId: MessageId.nullable().optional(),
      editOf: MessageId.optional(),
      sampling: SamplingParams.optional(),
      overflow: z.enum(['error', 'dropOldest']).optional(),
    }),
    z.object({ userMessageId: MessageId, replyMessageId: MessageId }),
  ),
  /** A new version of an assistant reply (a sibling under the same question). */
  'chat.regenerate': method(
    z.strictObject({ conversationId: ConversationId, messageId: MessageId, sampling: SamplingParams.optional() }),
    z.object({ replyMessageId: MessageId }),
  ),
  /** Continues a reply cut by the length limit (or stopped), appending to the same message. */
  'chat.continue': method(
    z.strictObject({ conversationId: ConversationId, messageId: MessageId }),
    z.object({ replyMessageId: MessageId }),
  ),
  /** Stops the conversation's streaming reply; its text so far is kept. */
  'chat.stop': method(z.strictObject({ conversationId: ConversationId }), z.object({ stopped: z.boolean() })),
  /** The context meter: tokens the thread (plus a draft) would use of the loaded context. */
  'chat.context': method(
    z.strictObject({
      conversationId: ConversationId,
      draft: z.string().max(4_000_000).optional(),
      attachments: z.array(Attachment).max(20).optional(),
    }),
    ContextUsage,
  ),
  /** When the context is full: a new conversation whose system prompt holds a summary of this one (by the model). */
  'chat.summarize': method(z.strictObject({ conversationId: ConversationId }), ConversationDetail),

  /** Built-in presets first, then the user's. */
  'presets.list': method(empty, z.array(ChatPreset)),
  /** Creates or replaces a user preset (builtin must be false; a built-in id is PRESET_BUILTIN). */
  'presets.save': method(ChatPreset, ChatPreset),
  'presets.delete': method(z.strictObject({ id: PresetId }), z.object({ deleted: z.boolean() })),
} as const;

export const chatEvents = {
  /** After any change to the list (new, renamed, pinned, deleted, a reply starting or ending). */
  'conversations.changed': z.array(ConversationListItem),
  /** Topical: subscribe with the conversation's id as topic (see eventTopics in contract.ts). */
  'conversation.stream': ConversationStreamEvent,
  'presets.changed': z.array(ChatPreset),
} as const;
