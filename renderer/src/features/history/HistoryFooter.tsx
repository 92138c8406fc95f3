/** Export all conversations (Markdown or JSON) and import our JSON back (new ids; nothing is overwritten). */
import { useRef } from 'react';
import { DownloadIcon } from '../../components/icons';
import { useLiveText } from '../../lib/useLiveText';
import { Menu } from './Menu';

export function HistoryFooter({
  canExport,
  onExportAll,
  onImport,
  importing,
}: {
  canExport: boolean;
  onExportAll: (format: 'markdown' | 'json') => void;
  onImport: (file: File) => void;
  importing: boolean;
}) {
  const live = useLiveText();
  const picker = useRef<HTMLInputElement>(null);
  return (
    <div className="history-foot">
      {canExport && (
        <Menu
          label={live('history.exportAll')}
          className="btn btn-small"
          testId="history-export-all"
          trigger={
            <>
              <DownloadIcon size={14} />
              {live('history.exportAll')}
            </>
          }
          items={[
            {
              key: 'export-all-markdown',
              label: live('history.exportAllMarkdown'),
              onSelect: () => onExportAll('markdown'),
            },
            { key: 'export-all-json', label: live('history.exportAllJson'), onSelect: () => onExportAll('json') },
          ]}
        />
      )}
      <button
        type="button"
        className="btn btn-small"
        data-testid="history-import"
        title={live('history.importHint')}
        disabled={importing}
        onClick={() => picker.current?.click()}
      >
        {live('history.import')}
      </button>
      <input
        ref={picker}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="history-import-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          // Cleared, so picking the same file again is a change too.
          e.target.value = '';
          if (file) onImport(file);
        }}
      />
    </div>
  );
}
