/**
 * Conversations (issue 13): the SQLite store (conversations/*), the migration of the old JSON files, and the
 * conversations.* handlers (list, get, create, update, delete/restore, deleteMessage, fork, search, export, import).
 *
 * `conversations.changed` (the whole list) follows any change that alters the list, whoever made it (these handlers
 * or the chat calling the repo directly), at most once per COALESCE_MS; a streaming reply's partial text never
 * causes one.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { chatMethods } from '../../shared/contract-chat';
import { AppError } from '../../shared/errors';
import type { ConversationRepo } from '../conversations/repo';
import { openConversationStore } from '../conversations/startup';
import { newId, type SqliteConversationRepo } from '../conversations/store';
import { exportJson, exportMarkdown, parseImport } from '../conversations/transfer';
import { subtree } from '../conversations/tree';

type ConversationMethod = Extract<keyof typeof chatMethods, `conversations.${string}`>;

export const COALESCE_MS = 100;
const DEFAULT_SEARCH_LIMIT = 50;

export interface ConversationsFeature {
  repo: ConversationRepo;
  handlers: Pick<Handlers, ConversationMethod>;
  dispose(): Promise<void>;
}

export interface ConversationsDeps {
  dataDir: string;
  bus: EventBus;
  log: (msg: string) => void;
}

/** Calls `fire` after a poke, at most once per `ms` (the first poke of a quiet period fires at once). */
export function coalesce(fire: () => void, ms: number) {
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  return {
    poke() {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = Date.now();
          fire();
        },
        Math.max(0, last + ms - Date.now()),
      );
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export async function createConversations(deps: ConversationsDeps): Promise<ConversationsFeature> {
  let store: SqliteConversationRepo | null = null;
  const changed = coalesce(() => {
    if (store?.db.isOpen) deps.bus.emit('conversations.changed', store.list());
  }, COALESCE_MS);
  const { repo } = openConversationStore({ dataDir: deps.dataDir, log: deps.log, onChange: () => changed.poke() });
  store = repo;
  const stream = deps.bus.emit.bind(deps.bus, 'conversation.stream');

  const handlers: Pick<Handlers, ConversationMethod> = {
    'conversations.list': async () => repo.list(),
    'conversations.get': async ({ id }) => repo.get(id),
    'conversations.create': async (p) =>
      repo.create({
        ...(p.title !== undefined ? { title: p.title } : {}),
        ...(p.systemPrompt !== undefined ? { systemPrompt: p.systemPrompt } : {}),
        ...(p.presetId !== undefined ? { presetId: p.presetId } : {}),
      }),
    'conversations.update': async ({ id, ...patch }) => {
      const item = repo.update(id, {
        ...patch,
        ...(patch.title !== undefined ? { titleAuto: false } : {}),
      });
      if (patch.title !== undefined) stream({ type: 'title', conversationId: id, title: item.title });
      if (patch.leafId !== undefined) stream({ type: 'leaf', conversationId: id, leafId: patch.leafId });
      return item;
    },
    'conversations.delete': async ({ id }) => ({ deleted: repo.delete(id) }),
    'conversations.restore': async ({ id }) => ({ restored: repo.restore(id) }),
    'conversations.deleteMessage': async ({ id, messageId }) => {
      const before = repo.get(id);
      const doomed = subtree(before.messages, messageId);
      if (before.messages.some((m) => doomed.has(m.id) && m.status === 'streaming'))
        throw new AppError('REPLY_IN_PROGRESS', { id });
      const { removed, leafId } = repo.deleteMessage(id, messageId);
      stream({ type: 'removed', conversationId: id, messageIds: removed });
      stream({ type: 'leaf', conversationId: id, leafId });
      return repo.get(id);
    },
    'conversations.fork': async ({ id, messageId }) => repo.fork(id, messageId),
    'conversations.search': async ({ query, limit }) => repo.search(query, limit ?? DEFAULT_SEARCH_LIMIT),
    'conversations.export': async ({ ids, format }) => {
      const list = (ids ?? repo.list().map((c) => c.id)).map((id) => repo.get(id));
      return format === 'markdown' ? exportMarkdown(list) : exportJson(list);
    },
    'conversations.import': async ({ text }) => {
      const ids = repo.insertMany(parseImport(text, newId));
      return { imported: ids.length, ids };
    },
  };

  return {
    repo,
    handlers,
    async dispose() {
      changed.cancel();
      repo.close();
    },
  };
}
