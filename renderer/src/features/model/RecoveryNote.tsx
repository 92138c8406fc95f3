/** The status bar's words for self-healing: the short form shown, the full sentence as its tooltip. */
import type { RecoveryView } from './recovery-view';
import { useRecoveryText } from './useRecovery';
import './recovery.css';

export function RecoveryNote({ view, label }: { view: RecoveryView | null; label: string }) {
  const text = useRecoveryText();
  if (!view) return <span className="status-text">{label}</span>;
  const full = text(view.headline, view.phase === 'gave-up' ? view.reason : undefined);
  const short = text(view.pill);
  if (view.phase === 'restarted')
    return (
      <>
        <span className="status-text">{label}</span>
        <span className="status-sep" aria-hidden="true" />
        <span className="status-heal" title={full} data-testid="status-heal">
          {short}
        </span>
      </>
    );
  return (
    <span className="status-text status-heal" title={full} data-testid="status-heal">
      {short}
    </span>
  );
}
