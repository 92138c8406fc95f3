/**
 * The conversation list beside the chat (issue 13 §2): pinned ones on top, then Today / Previous 7 days / Older;
 * full-text search with the hits marked; rename inline, pin, export, delete with Undo from each row's menu; export
 * all and import at the foot. The list is server state kept live by conversations.changed (api/queries.ts).
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationListItem } from '@shared/chat-schemas';
import type { ErrorInfo } from '@shared/errors';
import { useClient } from '../../api/context';
import { useConversations } from '../../api/queries';
import { CloseIcon } from '../../components/icons';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useLiveText } from '../../lib/useLiveText';
import { useUi } from '../../stores/ui';
import {
  deleteWithUndo,
  exportConversations,
  type ExportFormat,
  importInvalid,
  importProblem,
  tooBigToRead,
} from '../history/actions';
import { ConversationRow, type RowActions } from '../history/ConversationRow';
import { groupConversations } from '../history/groups';
import { HistoryFooter } from '../history/HistoryFooter';
import { useSearch } from '../history/search';
import { SearchResults } from '../history/SearchResults';
import '../history/history.css';

const REGROUP_MS = 5 * 60_000;

export function HistoryPanel() {
  const { i18n } = useTranslation();
  const live = useLiveText();
  const client = useClient();
  const { data: list } = useConversations();
  const current = useUi((s) => s.conversationId);
  const [query, setQuery] = useState('');
  const search = useSearch(query);
  const [error, setError] = useState<ErrorInfo | unknown>(null);
  const [imported, setImported] = useState<number | null>(null);
  const [importing, setImporting] = useState(false);

  // Regrouped now and then too, so "Today" moves on at midnight while the page stays open.
  // (A conversation changed after `now` counts as today.)
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), REGROUP_MS);
    return () => clearInterval(timer);
  }, []);
  const groups = useMemo(() => groupConversations(list ?? [], now), [list, now]);
  const timeFmt = useMemo(
    () =>
      new Intl.DateTimeFormat(i18n.language, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    [i18n.language],
  );

  /** Runs an action; its failure shows above the list (translated), a success clears an old failure. */
  const run = (f: () => Promise<unknown>) => {
    setImported(null);
    f().then(
      () => setError(null),
      (e: unknown) => setError(e),
    );
  };

  const actions: RowActions = {
    rename: (id, title) => run(() => client.call('conversations.update', { id, title })),
    pin: (id, pinned) => run(() => client.call('conversations.update', { id, pinned })),
    exportOne: (id, format: ExportFormat) => run(() => exportConversations(client, [id], format)),
    remove: (item: ConversationListItem) =>
      run(() => deleteWithUndo(client, { id: item.id, title: item.title || live('history.untitled') })),
  };

  const importFile = async (file: File) => {
    setImported(null);
    setError(null);
    const reason = (p: 'tooBig' | 'empty') =>
      importInvalid(live(p === 'tooBig' ? 'history.importTooBig' : 'history.importEmpty'));
    if (tooBigToRead(file.size)) return setError(reason('tooBig'));
    setImporting(true);
    try {
      const text = await file.text();
      const problem = importProblem(text);
      if (problem) return setError(reason(problem));
      const { imported: n } = await client.call('conversations.import', { text });
      setImported(n);
    } catch (e) {
      setError(e);
    } finally {
      setImporting(false);
    }
  };

  const searching = query.trim() !== '';
  return (
    <nav className="history" aria-label={live('history.label')} data-testid="conv-list">
      <div className="history-title">{live('history.title')}</div>
      <div className="history-search">
        <input
          type="search"
          className="input history-search-input"
          data-testid="history-search"
          aria-label={live('history.search.label')}
          placeholder={live('history.search.placeholder')}
          value={query}
          maxLength={200}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query !== '') {
              e.stopPropagation();
              setQuery('');
            }
          }}
        />
      </div>
      {error !== null && (
        <div className="history-error">
          <ErrorMessage error={error} compact testId="history-error" />
          <button
            type="button"
            className="icon-btn"
            aria-label={live('history.dismiss')}
            onClick={() => setError(null)}
          >
            <CloseIcon size={14} />
          </button>
        </div>
      )}
      {imported !== null && (
        <p className="history-note" role="status" data-testid="history-imported">
          {live('history.imported', { count: imported })}
        </p>
      )}
      {searching ? (
        <SearchResults hits={search.data} pending={search.pending} timeFmt={timeFmt} />
      ) : (
        <div className="history-groups">
          {list?.length === 0 && <p className="history-empty muted">{live('history.empty')}</p>}
          {groups.map((g) => (
            <section key={g.key} className="history-group" data-testid={`history-group-${g.key}`}>
              <h3 className="history-group-title">{live(`history.groups.${g.key}`)}</h3>
              <ul>
                {g.items.map((c) => (
                  <ConversationRow key={c.id} item={c} active={c.id === current} actions={actions} timeFmt={timeFmt} />
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      <HistoryFooter
        canExport={(list?.length ?? 0) > 0}
        importing={importing}
        onExportAll={(format) => run(() => exportConversations(client, undefined, format))}
        onImport={(file) => void importFile(file)}
      />
    </nav>
  );
}
