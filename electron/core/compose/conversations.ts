/**
 * Conversations (issue 13): the SQLite store, the migration of the old JSON files, and the conversations.* handlers
 * (list, get, create, update, delete/restore, deleteMessage, fork, search, export, import).
 * PLACEHOLDER until the store lands: every handler answers UNSUPPORTED.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { chatMethods } from '../../shared/contract-chat';
import { AppError } from '../../shared/errors';
import type { ConversationRepo } from '../conversations/repo';

type ConversationMethod = Extract<keyof typeof chatMethods, `conversations.${string}`>;

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

export async function createConversations(_deps: ConversationsDeps): Promise<ConversationsFeature> {
  const no = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'conversations (not built yet)' });
  };
  const repo = new Proxy({} as ConversationRepo, {
    get: () => () => {
      throw new AppError('UNSUPPORTED', { what: 'conversations (not built yet)' });
    },
  });
  return {
    repo,
    handlers: {
      'conversations.list': no,
      'conversations.get': no,
      'conversations.create': no,
      'conversations.update': no,
      'conversations.delete': no,
      'conversations.restore': no,
      'conversations.deleteMessage': no,
      'conversations.fork': no,
      'conversations.search': no,
      'conversations.export': no,
      'conversations.import': no,
    },
    async dispose() {},
  };
}
