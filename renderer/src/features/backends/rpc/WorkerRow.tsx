/**
 * One worker on another machine: reachable or not, its RPC protocol version and whether ours speaks it, its devices
 * with free and total memory, the round trip, whether the next start uses it (the toggle), check again, remove.
 */
import { useTranslation } from 'react-i18next';
import type { RpcDevice, RpcWorker } from '@shared/backends';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { formatBytes } from '../../../lib/format';
import { useKindsText } from '../../../lib/useKindsText';
import { useCheckWorker, useRemoveWorker, useSetWorkerEnabled } from './queries';
import { workerState } from './rpc-view';

export function WorkerRow({ worker }: { worker: RpcWorker }) {
  const t = useKindsText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const check = useCheckWorker();
  const enable = useSetWorkerEnabled();
  const remove = useRemoveWorker();
  const c = worker.lastCheck;
  const state = workerState(c);
  const error = check.error ?? enable.error ?? remove.error ?? (state !== 'ok' ? c?.error : null);

  return (
    <li
      className={`rpc-worker state-${state}`}
      data-testid="rpc-worker"
      data-id={worker.id}
      data-ok={String(state === 'ok')}
      data-state={state}
    >
      <div className="rpc-worker-main">
        <div className="rpc-worker-title">
          <strong className="mono">{worker.address}</strong>
          <span className={`badge rpc-state rpc-state-${state}`}>{t(`rpc.row.${state}`)}</span>
        </div>
        {c && (
          <div className="hint rpc-worker-facts">
            {c.protocol && (
              <span data-testid="rpc-protocol">
                {t('rpc.row.protocol', { version: c.protocol })}
                {c.compatible ? ` · ${t('rpc.row.compatible')}` : ''}
              </span>
            )}
            {c.latencyMs !== null && <span>{t('rpc.row.latency', { ms: Math.round(c.latencyMs) })}</span>}
            <span>{t('rpc.row.checkedAt', { when: new Date(c.at).toLocaleTimeString(lng) })}</span>
          </div>
        )}
        {c && c.ok && (
          <ul className="rpc-devices" data-testid="rpc-devices" aria-label={t('rpc.row.devices')}>
            {c.devices.length === 0 && <li className="hint">{t('rpc.row.noDevices')}</li>}
            {c.devices.map((d) => (
              <DeviceLine key={d.index} d={d} lng={lng} />
            ))}
          </ul>
        )}
        {error && <ErrorMessage error={error} compact testId="rpc-error" />}
      </div>
      <div className="rpc-worker-actions">
        <label className="switch-row rpc-enabled">
          <input
            type="checkbox"
            className="switch"
            data-testid="rpc-enabled"
            checked={enable.isPending && enable.variables ? enable.variables.enabled : worker.enabled}
            disabled={enable.isPending}
            onChange={(e) => enable.mutate({ id: worker.id, enabled: e.target.checked })}
          />
          <span>{t('rpc.row.enabled')}</span>
        </label>
        <button
          type="button"
          className="btn btn-small"
          data-testid="rpc-check"
          disabled={check.isPending}
          onClick={() => check.mutate(worker.id)}
        >
          {check.isPending ? t('rpc.row.checking') : t('rpc.row.check')}
        </button>
        <button
          type="button"
          className="btn btn-small btn-danger-ghost"
          data-testid="rpc-remove"
          disabled={remove.isPending}
          onClick={() => remove.mutate(worker.id)}
        >
          {t('rpc.row.remove')}
        </button>
      </div>
    </li>
  );
}

function DeviceLine({ d, lng }: { d: RpcDevice; lng: string }) {
  const t = useKindsText();
  const used = d.totalBytes > 0 ? Math.min(1, Math.max(0, 1 - d.freeBytes / d.totalBytes)) : 0;
  return (
    <li className="rpc-device" data-testid="rpc-device">
      <span className="rpc-device-name" title={d.description ?? undefined}>
        {d.name ?? t('rpc.row.device', { index: d.index })}
        {d.description && d.description !== d.name && <span className="hint"> · {d.description}</span>}
      </span>
      <span className="rpc-device-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(used * 100)}%` }} />
      </span>
      <span className="rpc-device-mem" data-free={d.freeBytes} data-total={d.totalBytes}>
        {t('rpc.row.memory', { free: formatBytes(d.freeBytes, lng), total: formatBytes(d.totalBytes, lng) })}
      </span>
    </li>
  );
}
