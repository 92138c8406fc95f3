import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnection, useConnState } from '../api/context';
import { PlugIcon } from './icons';

/** Shown when the WebSocket to the headless server is gone; IPC never disconnects. */
export function ConnBanner() {
  const { t } = useTranslation();
  const connection = useConnection();
  const state = useConnState();
  // Once the connection was lost, stay up through reconnect attempts instead of flickering away.
  const [lost, setLost] = useState(false);
  if (state.status === 'closed' && !lost) setLost(true);
  if (state.status === 'open' && lost) setLost(false);
  if (connection.transport !== 'ws' || state.status === 'open') return null;
  if (state.status === 'connecting' && connection.hasToken && !lost) return null;
  return (
    <div className="conn-banner" role="alert" data-testid="conn-banner" data-status={state.status}>
      <PlugIcon size={18} />
      <div className="conn-text">
        <strong>{t('conn.closed')}</strong>
        <span>{connection.hasToken ? t('conn.hint') : t('conn.noToken')}</span>
        {state.reason && <span className="conn-reason">{t('conn.reason', { reason: state.reason })}</span>}
      </div>
      <button
        type="button"
        className="btn btn-small"
        onClick={() => connection.reconnect()}
        disabled={state.status === 'connecting'}
      >
        {state.status === 'connecting' ? t('conn.connecting') : t('conn.reconnect')}
      </button>
    </div>
  );
}
