/**
 * Chat in conversations (issue 13): chat.send / regenerate / continue / stop / context / summarize and presets.*.
 * The core stores the question, streams the reply into the conversation (the partial text persisted at a bounded
 * rate) and emits `conversation.stream` events with the conversation's id as topic.
 * PLACEHOLDER until the chat lands: every handler answers UNSUPPORTED.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { chatMethods } from '../../shared/contract-chat';
import { AppError } from '../../shared/errors';
import type { Backend } from '../backends/backend';
import type { ConversationRepo } from '../conversations/repo';
import type { SettingsStore } from '../settings/store';

type ChatMethod = Extract<keyof typeof chatMethods, `chat.${string}` | `presets.${string}`>;

export interface ChatFeature {
  handlers: Pick<Handlers, ChatMethod>;
  /** Stops every conversation reply: with `reason` (a crash) each ends with that error, else as stopped. */
  stopAll(reason?: AppError): void;
  dispose(): Promise<void>;
}

export interface ChatDeps {
  dataDir: string;
  bus: EventBus;
  backend: Backend;
  settings: SettingsStore;
  repo: ConversationRepo;
  log: (msg: string) => void;
}

export async function createChat(_deps: ChatDeps): Promise<ChatFeature> {
  const no = async (): Promise<never> => {
    throw new AppError('UNSUPPORTED', { what: 'chat in conversations (not built yet)' });
  };
  return {
    handlers: {
      'chat.send': no,
      'chat.regenerate': no,
      'chat.continue': no,
      'chat.stop': no,
      'chat.context': no,
      'chat.summarize': no,
      'presets.list': no,
      'presets.save': no,
      'presets.delete': no,
    },
    stopAll() {},
    async dispose() {},
  };
}
