import { useTranslation } from 'react-i18next';
import type { BackendStatus } from '@shared/schemas';
import { useBackendStatus } from '../api/queries';
import { KindBadge } from '../features/backends/KindBadge';
import { runModel } from '../features/backends/kind-view';
import { RecoveryNote } from '../features/model/RecoveryNote';
import { useRecoveryView } from '../features/model/useRecovery';
import { useUi } from '../stores/ui';

export function statusLabel(status: BackendStatus | undefined, t: ReturnType<typeof useTranslation>['t']): string {
  if (!status) return t('status.unknown');
  if (status.state === 'loading' && status.progress !== null)
    return t('status.loadingPct', { pct: Math.round(status.progress * 100) });
  return t(`status.${status.state}`);
}

/** Backend state and the loaded model at a glance; clicking it opens the Model page. */
export function StatusPill() {
  const { t } = useTranslation();
  const { data: status } = useBackendStatus();
  const heal = useRecoveryView(status);
  const setView = useUi((s) => s.setView);
  const state = status?.state ?? 'stopped';
  // The model file's name; for vLLM or an external server without one, the model name it serves.
  const model = runModel(status);
  return (
    <button
      type="button"
      className={`status-pill state-${state}`}
      data-testid="status-pill"
      data-state={state}
      data-heal={heal?.phase}
      title={t('status.title')}
      onClick={() => setView('model')}
    >
      <span className="status-dot" aria-hidden="true" />
      <RecoveryNote view={heal} label={statusLabel(status, t)} />
      <KindBadge status={status} />
      {model && (
        <>
          <span className="status-sep" aria-hidden="true" />
          <span className="status-model">{model}</span>
        </>
      )}
    </button>
  );
}
