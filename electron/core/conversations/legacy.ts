/**
 * The conversations of earlier versions: one JSON file each under <data>/conversations (format `Conversation` in
 * shared/schemas.ts: a flat list of messages). They are read, never changed: the migration copies them into the
 * database as trees (each message's parent is the one before it; the leaf is the last) and leaves the files be.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MessageNode } from '../../shared/chat-schemas';
import { Conversation, type StoredMessage } from '../../shared/schemas';
import type { ConversationInsert } from './store';

export const LEGACY_DIR = 'conversations';
export const LEGACY_MIGRATED_KEY = 'legacy_json_migrated';

/** Every readable old conversation file; a damaged one is named in the log and left where it is. */
export function readLegacyConversations(dataDir: string, log: (msg: string) => void): Conversation[] {
  const dir = path.join(dataDir, LEGACY_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: Conversation[] = [];
  for (const name of names.sort()) {
    try {
      out.push(Conversation.parse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'))));
    } catch (e) {
      log(`conversations: the old file ${name} is unreadable (${(e as Error).message.slice(0, 120)}); left as it is`);
    }
  }
  return out;
}

const statusOf = (m: StoredMessage): MessageNode['status'] => {
  if (m.error) return 'error';
  if (m.stopped) return 'stopped';
  return 'done';
};

/**
 * An old conversation as a tree. `ids` makes message ids (and, for an import, the conversation's id); the
 * migration keeps the conversation's own id so that links to it still work.
 */
export function legacyToInsert(
  c: Conversation,
  ids: { conversation: string; message: () => string },
): ConversationInsert {
  let parentId: string | null = null;
  const messages: MessageNode[] = c.messages.map((m, i) => {
    const node: MessageNode = {
      id: ids.message(),
      parentId,
      role: m.role,
      content: m.content,
      reasoning: m.reasoning ?? '',
      attachments: [],
      // The old format kept no per-message time: spread them between the conversation's creation and last change.
      createdAt:
        c.messages.length > 1 ? c.createdAt + ((c.updatedAt - c.createdAt) * i) / (c.messages.length - 1) : c.createdAt,
      status: statusOf(m),
      finishReason: m.finishReason ?? null,
      timings: m.timings ?? null,
      error: m.error ?? null,
      reasoningMs: m.reasoningMs ?? null,
      model: m.role === 'assistant' ? c.model : null,
    };
    parentId = node.id;
    return node;
  });
  return {
    id: ids.conversation,
    title: c.title,
    titleAuto: false,
    pinned: false,
    systemPrompt: null,
    presetId: null,
    leafId: parentId,
    model: c.model,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    messages,
  };
}
