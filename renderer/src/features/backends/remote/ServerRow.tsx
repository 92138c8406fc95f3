/**
 * One saved server: its name and address, where its key is kept, its last check, a model picker, Connect (the
 * status bar then shows it), Check again, and Remove after a confirmation. The connected one is marked.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RemoteServer } from '@shared/backends';
import { useKindsText } from '../../../lib/useKindsText';
import { useRemoteConnect, useRemoteRefresh, useRemoteRemove } from './queries';
import { flavorKey, lastCheck, pickedModel, shortFingerprint } from './remote-view';
import { RemoteError } from './RemoteError';

export function ServerRow({ server, inUse }: { server: RemoteServer; inUse: string | null }) {
  const t = useKindsText();
  const { i18n } = useTranslation();
  const connect = useRemoteConnect();
  const refresh = useRemoteRefresh();
  const remove = useRemoteRemove();
  const [chosen, setChosen] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const model = pickedModel(server, chosen, inUse);
  const models = server.lastCheck?.models ?? [];
  const last = lastCheck(server);
  const when = (at: number) => new Date(at).toLocaleString(i18n.resolvedLanguage ?? 'en');
  const connected = inUse !== null;
  const error = connect.error ?? refresh.error ?? remove.error;

  return (
    <li
      className={connected ? 'remote-row connected' : 'remote-row'}
      data-testid="remote-row"
      data-id={server.id}
      data-connected={String(connected)}
    >
      <div className="remote-row-main">
        <div className="remote-row-title">
          <strong className="ellipsis">{server.name}</strong>
          {server.lastCheck && server.lastCheck.flavor !== 'unknown' && (
            <span className="badge remote-flavor">{t(`remote.flavor.${flavorKey(server.lastCheck.flavor)}`)}</span>
          )}
          {connected && (
            <span className="badge remote-connected" data-testid="remote-connected">
              {t('remote.list.connected')}
            </span>
          )}
        </div>
        <div className="mono small ellipsis" title={server.url}>
          {server.url}
        </div>
        <div className="hint remote-row-facts">
          <span data-testid="remote-key-storage">
            {!server.hasKey
              ? t('remote.list.noKey')
              : server.keyStorage === 'keychain'
                ? t('remote.list.keyKeychain')
                : t('remote.list.keyFile')}
          </span>
          {server.trustedFingerprint256 && (
            <span title={server.trustedFingerprint256}>
              {t('remote.list.pinned', { fingerprint: shortFingerprint(server.trustedFingerprint256) })}
            </span>
          )}
          <span data-testid="remote-last-check" data-state={last.state}>
            {last.state === 'never'
              ? t('remote.list.never')
              : last.state === 'failed'
                ? t('remote.list.lastFailed', { when: when(last.at) })
                : last.latencyMs !== null
                  ? t('remote.list.lastOk', { when: when(last.at), ms: Math.round(last.latencyMs) })
                  : t('remote.list.lastOkNoLatency', { when: when(last.at) })}
          </span>
        </div>
        {last.state === 'failed' && last.error && !error && (
          <RemoteError error={last.error} testId="remote-row-error" />
        )}
        {error && <RemoteError error={error} testId="remote-row-error" />}
      </div>
      <div className="remote-row-actions">
        {confirm ? (
          <div className="confirm-box" role="group">
            <span className="small">{t('remote.list.confirmRemove', { name: server.name })}</span>
            <div className="confirm-buttons">
              <button
                type="button"
                className="btn btn-small btn-danger"
                data-testid="remote-remove-confirm"
                disabled={remove.isPending}
                onClick={() => remove.mutate(server.id, { onSettled: () => setConfirm(false) })}
              >
                {t('remote.list.remove')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
                {t('remote.list.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <>
            <label className="remote-model-pick">
              <span className="sr-only">{t('remote.list.model')}</span>
              <select
                className="select select-small"
                data-testid="remote-model"
                title={model ?? undefined}
                value={model ?? ''}
                disabled={models.length === 0}
                onChange={(e) => setChosen(e.target.value)}
              >
                {models.length === 0 && <option value="">{t('remote.list.noModels')}</option>}
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid="remote-connect"
              disabled={!model || connect.isPending || (connected && model === inUse)}
              onClick={() => model && connect.mutate({ id: server.id, model })}
            >
              {connect.isPending ? t('remote.list.connecting') : t('remote.list.connect')}
            </button>
            <button
              type="button"
              className="btn btn-small"
              data-testid="remote-refresh"
              disabled={refresh.isPending}
              onClick={() => refresh.mutate(server.id)}
            >
              {refresh.isPending ? t('remote.list.refreshing') : t('remote.list.refresh')}
            </button>
            <button
              type="button"
              className="btn btn-small btn-danger-ghost"
              data-testid="remote-remove"
              onClick={() => setConfirm(true)}
            >
              {t('remote.list.remove')}
            </button>
          </>
        )}
      </div>
    </li>
  );
}
