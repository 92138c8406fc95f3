/**
 * Alerts as toasts, bottom-right, on every page. Each is a polite live region (role=status) that goes away by
 * itself; hovering or focusing one holds it, so it can be read. The event log on the Monitor page keeps them all.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAlertText } from '../features/alerts/useAlertText';
import { useLiveText } from '../lib/useLiveText';
import { useToasts, type Toast } from '../stores/toasts';
import { AlertIcon, CheckIcon, CloseIcon } from './icons';

type Level = 'info' | 'warning' | 'error';
const LIFETIME_MS: Record<Level, number> = { info: 5000, warning: 9000, error: 12000 };
/** A toast with an action (Undo) stays long enough to reach for it. */
const ACTION_LIFETIME_MS = 10_000;

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.key} toast={toast} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const text = useAlertText();
  const live = useLiveText();
  const dismiss = useToasts((s) => s.dismiss);
  const [held, setHeld] = useState(false);
  const { alert, note } = toast;
  const level: Level = alert ? alert.level : note.level;
  const left = useRef(note?.action ? ACTION_LIFETIME_MS : LIFETIME_MS[level]);
  useEffect(() => {
    if (held) return;
    const started = Date.now();
    const timer = setTimeout(() => dismiss(toast.key), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1500, left.current - (Date.now() - started));
    };
  }, [held, dismiss, toast.key]);
  return (
    <div
      className={`toast level-${level}`}
      role="status"
      aria-live="polite"
      data-testid="toast"
      data-kind={alert ? alert.kind : note.kind}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <span className="toast-icon">{level === 'info' ? <CheckIcon size={16} /> : <AlertIcon size={16} />}</span>
      <span className="toast-text">{alert ? text(alert) : live(note.text, note.params)}</span>
      {note?.action && (
        <button
          type="button"
          className="btn btn-small toast-action"
          data-testid="toast-action"
          onClick={() => {
            dismiss(toast.key);
            note.action?.run();
          }}
        >
          {live(note.action.label)}
        </button>
      )}
      <button
        type="button"
        className="icon-btn toast-close"
        aria-label={t('alerts.dismiss')}
        onClick={() => dismiss(toast.key)}
      >
        <CloseIcon size={14} />
      </button>
    </div>
  );
}
