/**
 * Alerts as toasts, bottom-right, on every page. Each is a polite live region (role=status) that goes away by
 * itself; hovering or focusing one holds it, so it can be read. The event log on the Monitor page keeps them all.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAlertText } from '../features/alerts/useAlertText';
import { useToasts, type Toast } from '../stores/toasts';
import { AlertIcon, CheckIcon, CloseIcon } from './icons';

const LIFETIME_MS: Record<Toast['alert']['level'], number> = { info: 5000, warning: 9000, error: 12000 };

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
  const dismiss = useToasts((s) => s.dismiss);
  const [held, setHeld] = useState(false);
  const left = useRef(LIFETIME_MS[toast.alert.level]);
  useEffect(() => {
    if (held) return;
    const started = Date.now();
    const timer = setTimeout(() => dismiss(toast.key), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1500, left.current - (Date.now() - started));
    };
  }, [held, dismiss, toast.key]);
  const { level } = toast.alert;
  return (
    <div
      className={`toast level-${level}`}
      role="status"
      aria-live="polite"
      data-testid="toast"
      data-kind={toast.alert.kind}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <span className="toast-icon">{level === 'info' ? <CheckIcon size={16} /> : <AlertIcon size={16} />}</span>
      <span className="toast-text">{text(toast.alert)}</span>
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
