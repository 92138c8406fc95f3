/** The Backends page's "Running now" line: which kind runs the model now, and with what. */
import { useBackendStatus } from '../../api/queries';
import { useKindsText } from '../../lib/useKindsText';
import { runningNow } from './kind-view';

export function RunningNow() {
  const t = useKindsText();
  const { data: status } = useBackendStatus();
  const now = runningNow(status);
  const text =
    now.kind === 'none'
      ? t('page.now.none')
      : now.kind === 'vllm'
        ? t('page.now.vllm', { model: now.model })
        : now.kind === 'external'
          ? t('page.now.external', { server: now.server, url: now.url, model: now.model })
          : now.rpcWorkers.length > 0
            ? t('page.now.llamaCppRpc', {
                model: now.model,
                count: now.rpcWorkers.length,
                workers: now.rpcWorkers.join(', '),
              })
            : t('page.now.llamaCpp', { model: now.model });
  return (
    <div
      className={`backends-now state-${now.kind === 'none' ? 'stopped' : now.state}`}
      data-testid="backends-now"
      data-kind={now.kind}
    >
      <span className="backends-now-label">{t('page.now.label')}</span>
      <span className="status-dot" aria-hidden="true" />
      <span className="backends-now-text">{text}</span>
      {now.kind !== 'none' && now.state !== 'ready' && (
        <span className="hint">({t(`page.now.state.${now.state}`)})</span>
      )}
    </div>
  );
}
