import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useConnection, useConnState } from '../../api/context';
import { useBackendStatus } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ChatIcon, ModelIcon, PlusIcon } from '../../components/icons';
import { useLiveText } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { useUi } from '../../stores/ui';
import { Composer } from './Composer';
import { ConversationHeader } from './ConversationHeader';
import { HistoryPanel } from './HistoryPanel';
import { newChat, send, stopReply } from './controller';
import { NotReadyText } from './NotReadyText';
import { OverflowChoice } from './OverflowChoice';
import { closeConversation, openConversation, openId, refetch } from './sync';
import { Thread } from './Thread';
import './thread.css';

/** Opens the conversation the URL names (and follows it: another conversation, a new chat, a reconnect). */
function useConversationSync() {
  const client = useClient();
  const connection = useConnection();
  const id = useUi((s) => s.conversationId);
  useEffect(() => {
    if (id) void openConversation(client, id);
    else if (openId() !== null || useChat.getState().meta) {
      closeConversation();
      useChat.getState().clear();
    }
  }, [client, id]);
  // Events sent while the socket was down are lost: fetch the conversation again when it reopens.
  useEffect(() => connection.onReopen(refetch), [connection]);
}

/** Esc stops the streaming reply, wherever the focus is on the chat page (an open editor takes Esc first). */
function useEscStops() {
  const client = useClient();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || useChat.getState().streamingId === null) return;
      e.preventDefault();
      void stopReply(client);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client]);
}

function Welcome({ model }: { model: string }) {
  const { t } = useTranslation();
  return (
    <div className="chat-scroll">
      <div className="chat-column chat-welcome">
        <div className="empty-icon">
          <ChatIcon size={26} />
        </div>
        <h2>{t('chat.welcomeTitle')}</h2>
        <p className="muted">{t('chat.welcomeText', { model })}</p>
      </div>
    </div>
  );
}

function ThreadArea() {
  const tl = useLiveText();
  const { data: status } = useBackendStatus();
  const meta = useChat((s) => s.meta);
  const empty = useChat((s) => s.thread.length === 0);
  const loading = useChat((s) => s.loading);
  const loadError = useChat((s) => s.loadError);
  if (loadError)
    return (
      <div className="chat-scroll">
        <div className="chat-column thread-state" data-testid="thread-error">
          <p>{tl('thread.openFailed')}</p>
          <ErrorMessage error={loadError} compact />
        </div>
      </div>
    );
  if (loading)
    return (
      <div className="chat-scroll">
        <p className="chat-column thread-state muted" data-testid="thread-loading">
          {tl('thread.loading')}
        </p>
      </div>
    );
  if (empty) return <Welcome model={status?.model?.name ?? ''} />;
  return <Thread key={meta?.id ?? 'new'} />;
}

export function ChatPage() {
  const { t } = useTranslation();
  const client = useClient();
  const conn = useConnState();
  const { data: status } = useBackendStatus();
  const setView = useUi((s) => s.setView);
  const hasConversation = useChat((s) => s.meta !== null || s.loading || s.loadError !== null);
  const error = useChat((s) => s.error);
  const ready = status?.state === 'ready';
  useConversationSync();
  useEscStops();

  const sendDraft = () => {
    const { draft, attachments } = useChat.getState();
    void send(client, { content: draft, attachments });
  };

  if (!ready && !hasConversation) {
    return (
      <div className="chat-layout">
        <HistoryPanel />
        <div className="empty-state">
          <div className="empty-icon">
            <ModelIcon size={28} />
          </div>
          <h2>{t('chat.noModelTitle')}</h2>
          <p>{t('chat.noModelText')}</p>
          <button type="button" className="btn btn-primary" onClick={() => setView('model')}>
            {t('chat.goModel')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="chat-layout">
      <HistoryPanel />
      <div className="chat">
        <div className="chat-toolbar">
          <ConversationHeader />
          <button type="button" className="btn btn-small" data-testid="chat-new" onClick={newChat}>
            <PlusIcon size={15} />
            {t('chat.new')}
          </button>
        </div>
        <ThreadArea />
        <div className="chat-bottom">
          <div className="chat-column">
            {!ready && (
              <div className="notice">
                <NotReadyText status={status} />
                <button type="button" className="btn btn-small" onClick={() => setView('model')}>
                  {t('chat.goModel')}
                </button>
              </div>
            )}
            {error && <ErrorMessage error={error} compact testId="chat-error" />}
            <OverflowChoice />
            <Composer
              disabled={!ready || conn.status !== 'open'}
              onSend={sendDraft}
              onStop={() => void stopReply(client)}
            />
          </div>
        </div>
      </div>
    </div>
  );
}
