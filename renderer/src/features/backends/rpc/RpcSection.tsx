/**
 * The Backends page's "More than one machine": workers on other machines (add, check, use or not, remove) with what
 * the next model start will use, and this machine as a worker.
 */
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { formatBytes } from '../../../lib/format';
import { useKindsText } from '../../../lib/useKindsText';
import { AddWorkerForm } from './AddWorkerForm';
import { useRpcWorkers } from './queries';
import { usableWorkers } from './rpc-view';
import { WorkerMode } from './WorkerMode';
import { WorkerRow } from './WorkerRow';

export function RpcSection() {
  const t = useKindsText();
  const { i18n } = useTranslation();
  const { data: workers, error } = useRpcWorkers();
  const use = usableWorkers(workers ?? []);
  return (
    <div className="rpc-section">
      <p className="hint section-intro">{t('rpc.intro')}</p>
      <div className="card rpc-workers-card">
        <h3 className="card-title">{t('rpc.workers.title')}</h3>
        <AddWorkerForm />
        {error && <ErrorMessage error={error} compact />}
        {workers && workers.length === 0 && <p className="muted">{t('rpc.workers.empty')}</p>}
        {workers && workers.length > 0 && (
          <ul className="rpc-workers" data-testid="rpc-workers">
            {workers.map((w) => (
              <WorkerRow key={w.id} worker={w} />
            ))}
          </ul>
        )}
        <p className="hint rpc-use" data-testid="rpc-use" data-count={use.count}>
          {use.count > 0
            ? t('rpc.use.some', { count: use.count, free: formatBytes(use.freeBytes, i18n.resolvedLanguage ?? 'en') })
            : t('rpc.use.none')}
        </p>
      </div>
      <WorkerMode />
    </div>
  );
}
