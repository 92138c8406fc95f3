/** The Backends page's external servers: "Connect to a server" and the saved servers (the connected one first). */
import { useBackendStatus } from '../../../api/queries';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { useKindsText } from '../../../lib/useKindsText';
import { ConnectForm } from './ConnectForm';
import { useRemoteServers } from './queries';
import { connectedServer, sortServers } from './remote-view';
import { ServerRow } from './ServerRow';

export function RemoteSection() {
  const t = useKindsText();
  const { data: servers, error } = useRemoteServers();
  const { data: status } = useBackendStatus();
  const connected = connectedServer(status);
  return (
    <div className="remote-section">
      <p className="hint section-intro">{t('remote.intro')}</p>
      <ConnectForm />
      <div className="card remote-list-card">
        <h3 className="card-title">{t('remote.list.title')}</h3>
        {error && <ErrorMessage error={error} compact />}
        {servers && servers.length === 0 && (
          <p className="muted" data-testid="remote-empty">
            {t('remote.list.empty')}
          </p>
        )}
        {servers && servers.length > 0 && (
          <ul className="remote-list" data-testid="remote-list">
            {sortServers(servers, connected?.id ?? null).map((s) => (
              <ServerRow key={s.id} server={s} inUse={connected?.id === s.id ? connected.model : null} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
