import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { useConversations } from '../../api/queries';
import { useChat } from '../../stores/chat';
import { openConversation } from './controller';

/** Saved conversations, newest first. Delete asks once more inline rather than in a modal. */
export function HistoryPanel() {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const { data: list = [] } = useConversations();
  const current = useChat((s) => s.conversationId);
  const [confirming, setConfirming] = useState<string | null>(null);
  const dateFmt = new Intl.DateTimeFormat(i18n.language, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });

  return (
    <nav className="history" aria-label={t('chat.history.label')} data-testid="conv-list">
      <div className="history-title">{t('chat.history.title')}</div>
      {list.length === 0 && <p className="history-empty muted">{t('chat.history.empty')}</p>}
      <ul>
        {list.map((c) => (
          <li
            key={c.id}
            className={c.id === current ? 'history-item active' : 'history-item'}
            data-testid="conv-item"
            data-id={c.id}
          >
            <button
              type="button"
              className="history-open"
              onClick={() => void openConversation(client, c.id)}
              title={c.title}
            >
              <span className="history-name">{c.title || t('chat.history.untitled')}</span>
              <span className="history-meta">{dateFmt.format(c.updatedAt)}</span>
            </button>
            {confirming === c.id ? (
              <button
                type="button"
                className="history-delete confirm"
                data-testid="conv-delete-confirm"
                onClick={() => {
                  setConfirming(null);
                  if (c.id === current) useChat.getState().clear();
                  void client.call('conversations.delete', { id: c.id });
                }}
              >
                {t('chat.history.confirmDelete')}
              </button>
            ) : (
              <button
                type="button"
                className="history-delete"
                data-testid="conv-delete"
                aria-label={t('chat.history.delete')}
                title={t('chat.history.delete')}
                onClick={() => setConfirming(c.id)}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
