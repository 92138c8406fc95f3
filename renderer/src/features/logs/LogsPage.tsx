import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LogLine } from '@shared/schemas';
import { useBackendLogs } from '../../api/queries';
import { CheckIcon, CopyIcon } from '../../components/icons';
import { copyText } from '../../lib/clipboard';

const STICK_PX = 32;
const time = (ts: number) => new Date(ts).toLocaleTimeString(undefined, { hour12: false });

export function LogsPage() {
  const { t } = useTranslation();
  const { data: lines = [], isLoading, error } = useBackendLogs();
  const [copied, setCopied] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const copy = () =>
    void copyText(lines.map((l: LogLine) => l.text).join('\n')).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });

  return (
    <div className="page page-fill">
      <div className="logs-toolbar">
        <span className="muted small">{t('logs.count', { count: lines.length })}</span>
        <button
          type="button"
          className="btn btn-small"
          data-testid="logs-copy"
          onClick={copy}
          disabled={lines.length === 0}
        >
          {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
          {copied ? t('common.copied') : t('logs.copy')}
        </button>
      </div>
      <div
        className="logs"
        ref={scroller}
        data-testid="logs-view"
        role="log"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
        }}
      >
        {lines.length === 0 ? (
          <div className="logs-empty muted">
            {isLoading ? t('common.loading') : error ? t('logs.failed') : t('logs.empty')}
          </div>
        ) : (
          lines.map((l) => (
            <div key={l.seq} className={`log-line log-${l.stream}`}>
              <span className="log-time">{time(l.ts)}</span>
              <span className="log-text">{l.text}</span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
