/** Hits of a full-text search: the conversation's title, where the hit is, and the snippet with the words marked. */
import type { SearchHit } from '@shared/chat-schemas';
import { useLiveText } from '../../lib/useLiveText';
import { useUi } from '../../stores/ui';
import { Snippet } from './Snippet';

export function SearchResults({
  hits,
  pending,
  timeFmt,
}: {
  hits: SearchHit[] | undefined;
  pending: boolean;
  timeFmt: Intl.DateTimeFormat;
}) {
  const live = useLiveText();
  const current = useUi((s) => s.conversationId);
  const where = (h: SearchHit) =>
    h.messageId === null
      ? live('history.search.inTitle')
      : live(h.role === 'user' ? 'history.search.user' : 'history.search.assistant');
  return (
    <div className="history-hits" aria-label={live('history.search.results')} aria-busy={pending}>
      {pending && !hits && <p className="history-empty muted">{live('history.search.searching')}</p>}
      {hits?.length === 0 && !pending && (
        <p className="history-empty muted" data-testid="search-none">
          {live('history.search.none')}
        </p>
      )}
      <ul>
        {hits?.map((h) => (
          <li
            key={`${h.conversationId}/${h.messageId ?? ''}`}
            className={h.conversationId === current ? 'history-hit active' : 'history-hit'}
            data-testid="search-hit"
            data-id={h.conversationId}
            data-message-id={h.messageId ?? ''}
          >
            <button
              type="button"
              className="history-open"
              onClick={() => useUi.getState().openConversation(h.conversationId, h.messageId)}
            >
              <span className="history-name">{h.title || live('history.untitled')}</span>
              <span className="history-meta">
                {where(h)} · {timeFmt.format(h.updatedAt)}
              </span>
              <Snippet segments={h.snippet} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
