/** One conversation in the history list: open it, rename it inline, pin, export or delete it from its menu. */
import { useRef, useState } from 'react';
import type { ConversationListItem } from '@shared/chat-schemas';
import { useLiveText } from '../../lib/useLiveText';
import { useUi } from '../../stores/ui';
import type { ExportFormat } from './actions';
import { Menu } from './Menu';

export interface RowActions {
  rename: (id: string, title: string) => void;
  pin: (id: string, pinned: boolean) => void;
  exportOne: (id: string, format: ExportFormat) => void;
  remove: (item: ConversationListItem) => void;
}

export function ConversationRow({
  item,
  active,
  actions,
  timeFmt,
}: {
  item: ConversationListItem;
  active: boolean;
  actions: RowActions;
  timeFmt: Intl.DateTimeFormat;
}) {
  const live = useLiveText();
  const [renaming, setRenaming] = useState(false);
  const title = item.title || live('history.untitled');
  const cls = ['history-item', active && 'active', item.pinned && 'pinned'].filter(Boolean).join(' ');

  return (
    <li
      className={cls}
      data-testid="conv-item"
      data-id={item.id}
      data-pinned={item.pinned}
      data-streaming={item.streaming}
    >
      {renaming ? (
        <RenameField
          initial={item.title}
          label={live('history.row.renameLabel')}
          onDone={(next) => {
            setRenaming(false);
            if (next !== null && next !== item.title) actions.rename(item.id, next);
          }}
        />
      ) : (
        <button
          type="button"
          className="history-open"
          aria-current={active ? 'page' : undefined}
          title={title}
          onClick={() => useUi.getState().openConversation(item.id)}
          onDoubleClick={() => setRenaming(true)}
          onKeyDown={(e) => {
            // F2 renames, as in file managers.
            if (e.key === 'F2') {
              e.preventDefault();
              setRenaming(true);
            }
          }}
        >
          <span className="history-name" data-testid="conv-title">
            {item.streaming && (
              <span
                className="history-streaming"
                role="img"
                aria-label={live('history.row.streaming')}
                title={live('history.row.streaming')}
                data-testid="conv-streaming"
              />
            )}
            {title}
          </span>
          <span className="history-meta">{timeFmt.format(item.updatedAt)}</span>
        </button>
      )}
      {!renaming && (
        <Menu
          label={live('history.row.menu', { title })}
          trigger="⋯"
          className="icon-btn history-menu-btn"
          testId="conv-menu"
          items={[
            { key: 'rename', label: live('history.row.rename'), onSelect: () => setRenaming(true) },
            {
              key: item.pinned ? 'unpin' : 'pin',
              label: live(item.pinned ? 'history.row.unpin' : 'history.row.pin'),
              onSelect: () => actions.pin(item.id, !item.pinned),
            },
            {
              key: 'export-markdown',
              label: live('history.row.exportMarkdown'),
              onSelect: () => actions.exportOne(item.id, 'markdown'),
            },
            {
              key: 'export-json',
              label: live('history.row.exportJson'),
              onSelect: () => actions.exportOne(item.id, 'json'),
            },
            { key: 'delete', label: live('history.row.delete'), danger: true, onSelect: () => actions.remove(item) },
          ]}
        />
      )}
    </li>
  );
}

/** Enter or leaving the field saves, Escape cancels; an empty title is not a rename (the contract wants 1–200). */
function RenameField({
  initial,
  label,
  onDone,
}: {
  initial: string;
  label: string;
  onDone: (title: string | null) => void;
}) {
  const [text, setText] = useState(initial);
  // Enter unmounts the field, which may also blur it: save once.
  const done = useRef(false);
  const finish = (save: boolean) => {
    if (done.current) return;
    done.current = true;
    const next = text.trim().slice(0, 200);
    onDone(save && next !== '' ? next : null);
  };
  return (
    <input
      className="input history-rename"
      data-testid="conv-rename"
      aria-label={label}
      value={text}
      maxLength={200}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setText(e.target.value)}
      onBlur={() => finish(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') finish(true);
        else if (e.key === 'Escape') {
          e.stopPropagation();
          finish(false);
        }
      }}
    />
  );
}
