/**
 * The Model page's account of self-healing: what happened, what happens next (a countdown), the out-of-memory steps
 * taken, Retry after it gave up, and "keep these settings" once stepped-down settings load fine.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { BackendStatus, LoadOptions } from '@shared/schemas';
import { useClient, useConnState } from '../../api/context';
import { keys, newerStatus, useSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useBackendText } from '../../lib/useBackendText';
import { optionsToKeep } from './recovery-view';
import { useRecoveryText, useRecoveryView } from './useRecovery';
import './recovery.css';

export function RecoveryPanel({ status }: { status: BackendStatus | undefined }) {
  const { t } = useTranslation();
  const tb = useBackendText();
  const text = useRecoveryText();
  const client = useClient();
  const qc = useQueryClient();
  const online = useConnState().status === 'open';
  const view = useRecoveryView(status);
  const { data: settings } = useSettings();

  const retry = useMutation({
    mutationFn: () => client.call('backend.retry', {}),
    onSuccess: (s) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s)),
  });
  // Keyed by run: a later run with other steps offers again.
  const keep = useMutation({
    mutationKey: ['profiles.save', status?.runId],
    mutationFn: (v: { modelPath: string; options: Partial<LoadOptions> }) =>
      client.call('profiles.save', { ...v, source: 'recovered' }),
  });
  const keptRun = keep.isSuccess ? keep.variables?.modelPath + String(status?.runId) : null;

  if (!view) return null;
  const model = status?.model;
  const options = status?.options;
  const kept = keptRun === `${model?.path}${String(status?.runId)}`;

  return (
    <section className={`card recovery recovery-${view.tone}`} data-testid="recovery" data-phase={view.phase}>
      <p className="recovery-headline" data-testid="recovery-headline">
        {text(view.headline, view.phase === 'gave-up' ? view.reason : undefined)}
      </p>
      {view.phase === 'gave-up' && view.reason.details && (
        <details className="error-details" data-code={view.reason.code}>
          <summary>{t('common.details')}</summary>
          <pre>
            {t('common.errorCode', { code: view.reason.code })}
            {`\n\n${view.reason.details}`}
          </pre>
        </details>
      )}
      {view.restarts > 0 && <p className="hint">{tb('heal.restarts', { n: view.restarts })}</p>}
      {view.steps.length > 0 && (
        <div className="recovery-steps">
          <div className="eyebrow">{tb('heal.stepsTitle')}</div>
          <ul data-testid="recovery-steps">
            {view.steps.map((s, i) => (
              <li key={i} className="mono">
                {text(s)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {view.canKeep && model && options && (
        <div className="recovery-keep">
          {kept ? (
            <span className="hint" data-testid="recovery-kept">
              {tb('heal.kept')}
            </span>
          ) : (
            <>
              <span className="hint">{tb('heal.keepHint')}</span>
              <button
                type="button"
                className="btn btn-small"
                data-testid="recovery-keep"
                disabled={!online || keep.isPending}
                onClick={() =>
                  keep.mutate({ modelPath: model.path, options: optionsToKeep(options, settings?.loadOptions) })
                }
              >
                {tb('heal.keep')}
              </button>
            </>
          )}
        </div>
      )}
      {keep.error && <ErrorMessage error={keep.error} compact />}
      {view.canRetry && (
        <div className="card-actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="recovery-retry"
            disabled={!online || retry.isPending}
            onClick={() => retry.mutate()}
          >
            {retry.isPending ? tb('heal.retrying') : tb('heal.retry')}
          </button>
        </div>
      )}
      {retry.error && <ErrorMessage error={retry.error} compact />}
    </section>
  );
}
