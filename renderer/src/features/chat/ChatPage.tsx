import { useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient, useConnState } from '../../api/context';
import { useBackendStatus } from '../../api/queries';
import { ChatIcon, ModelIcon, PlusIcon } from '../../components/icons';
import { useChat } from '../../stores/chat';
import { useUi } from '../../stores/ui';
import { Composer } from './Composer';
import { HistoryPanel } from './HistoryPanel';
import { abandonReply, newChat, sendMessage, stopReply } from './controller';
import { Message } from './Message';
import { NotReadyText } from './NotReadyText';

/** Distance from the bottom (px) that still counts as "following" the stream. */
const STICK_PX = 48;

export function ChatPage() {
  const { t } = useTranslation();
  const client = useClient();
  const conn = useConnState();
  const { data: status } = useBackendStatus();
  const setView = useUi((s) => s.setView);
  const messages = useChat((s) => s.messages);
  const streaming = useChat((s) => s.activeRequestId !== null);
  const ready = status?.state === 'ready';

  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    if (conn.status === 'closed') abandonReply();
  }, [conn.status]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const send = () => {
    stick.current = true;
    // No sampling here: the core applies the saved settings.sampling, so a stale cache can never override it.
    void sendMessage(client, useChat.getState().draft, undefined, status?.model?.name ?? null);
  };

  if (!ready && messages.length === 0) {
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
          <span />
          <button type="button" className="btn btn-small" data-testid="chat-new" onClick={() => newChat()}>
            <PlusIcon size={15} />
            {t('chat.new')}
          </button>
        </div>
        <div
          className="chat-scroll"
          ref={scroller}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
          }}
        >
          <div className="chat-column">
            {messages.length === 0 ? (
              <div className="chat-welcome">
                <div className="empty-icon">
                  <ChatIcon size={26} />
                </div>
                <h2>{t('chat.welcomeTitle')}</h2>
                <p className="muted">{t('chat.welcomeText', { model: status?.model?.name ?? '' })}</p>
              </div>
            ) : (
              messages.map((m) => <Message key={m.id} message={m} />)
            )}
          </div>
        </div>
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
            <Composer
              disabled={!ready || conn.status !== 'open'}
              streaming={streaming}
              onSend={send}
              onStop={() => void stopReply()}
            />
          </div>
        </div>
      </div>
    </div>
  );
}
