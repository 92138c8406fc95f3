/**
 * Chat in conversations (issue 13): chat.send / regenerate / continue / stop / context / summarize and presets.*.
 * The core stores the question, streams the reply into the conversation (the partial text persisted at a bounded
 * rate, chat/persist-policy.ts) and emits `conversation.stream` events with the conversation's id as topic
 * (chat/reply-stream.ts); prompts are built by chat/prompt.ts, presets kept by chat/presets.ts.
 */
import type { EventBus, Handlers } from '../../shared/contract';
import type { chatMethods } from '../../shared/contract-chat';
import type { ConversationDetail } from '../../shared/chat-schemas';
import type { AppError } from '../../shared/errors';
import type { Backend } from '../backends/backend';
import { ConversationChat } from '../chat/conversation-chat';
import type { PersistPolicy } from '../chat/persist-policy';
import { PresetStore } from '../chat/presets';
import type { ConversationRepo } from '../conversations/repo';
import type { SettingsStore } from '../settings/store';

type ChatMethod = Extract<keyof typeof chatMethods, `chat.${string}` | `presets.${string}`>;

export interface ChatFeature {
  handlers: Pick<Handlers, ChatMethod>;
  /** Stops every conversation reply: with `reason` (a crash) each ends with that error, else as stopped. */
  stopAll(reason?: AppError): void;
  /** A conversation as conversations.get should answer while a reply streams in it: the text as it is now. */
  overlay(detail: ConversationDetail): ConversationDetail;
  /** Resolves when no reply streams (tests, shutdown). */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ChatDeps {
  dataDir: string;
  bus: EventBus;
  backend: Backend;
  settings: SettingsStore;
  repo: ConversationRepo;
  log: (msg: string) => void;
  /** Tests: how often the growing reply is written. */
  persist?: PersistPolicy;
}

export async function createChat(deps: ChatDeps): Promise<ChatFeature> {
  const presets = new PresetStore(deps.dataDir, deps.log);
  // Replies that were streaming when the app last ended (killed, crashed) say so instead of "streaming" forever.
  try {
    const n = deps.repo.markInterrupted();
    if (n > 0) deps.log(`${n} reply(s) were cut off when DeepLocal last ended; marked as interrupted`);
  } catch (e) {
    deps.log(`could not mark interrupted replies: ${(e as Error).message}`);
  }
  const chat = new ConversationChat({
    repo: deps.repo,
    bus: deps.bus,
    backend: deps.backend,
    settings: deps.settings,
    presets,
    log: deps.log,
    ...(deps.persist ? { persist: deps.persist } : {}),
  });
  // The context per slot is read as soon as a backend is ready, so no send waits for it.
  const offStatus = deps.backend.onStatus((s) => {
    if (s.state === 'ready') chat.warm();
  });
  chat.warm();
  const presetsChanged = async () => deps.bus.emit('presets.changed', await presets.list());

  return {
    handlers: {
      'chat.send': (p) => chat.send(p),
      'chat.regenerate': (p) => chat.regenerate(p),
      'chat.continue': (p) => chat.continue(p),
      'chat.stop': async ({ conversationId }) => ({ stopped: chat.stop(conversationId) }),
      'chat.context': (p) => chat.context(p),
      'chat.summarize': ({ conversationId }) => chat.summarize(conversationId),
      'presets.list': () => presets.list(),
      'presets.save': async (p) => {
        const saved = await presets.save(p);
        await presetsChanged();
        return saved;
      },
      'presets.delete': async ({ id }) => {
        const deleted = await presets.delete(id);
        if (deleted) await presetsChanged();
        return { deleted };
      },
    },
    stopAll: (reason) => chat.streams.stopAll(reason),
    overlay: (detail) => chat.overlay(detail),
    idle: () => chat.streams.idle(),
    async dispose() {
      offStatus();
      chat.streams.stopAll();
      await chat.streams.idle();
    },
  };
}
