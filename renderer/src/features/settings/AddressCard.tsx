import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CopyButton } from '../../components/CopyButton';

/**
 * Headless only (the desktop window has no web server, apiBaseUrl is null): the server's address, which stays the
 * same across restarts, and "New token", after which the old token stops working everywhere, this page's own
 * connection included; the new URL is shown to copy and to open.
 */
export function AddressCard({ apiBaseUrl }: { apiBaseUrl: string }) {
  const { t } = useTranslation();
  const client = useClient();
  const rotate = useMutation({ mutationFn: () => client.call('server.newToken', {}) });
  const address = new URL(apiBaseUrl).origin;
  const url = rotate.data?.url ?? null;
  return (
    <section className="card" data-testid="settings-address">
      <h2 className="card-title">{t('settings.address')}</h2>
      <p className="hint card-sub">{t('settings.addressHint')}</p>
      <dl className="kv">
        <dt>{t('settings.addressUrl')}</dt>
        <dd className="mono" data-testid="settings-address-url">
          {address}
        </dd>
      </dl>
      {rotate.error && <ErrorMessage error={rotate.error} />}
      {url ? (
        <div className="command-box">
          <p className="hint">{t('settings.newTokenDone')}</p>
          <div className="command-row">
            <code className="mono" data-testid="settings-new-url">
              {url}
            </code>
            <CopyButton text={url} />
            <a className="btn btn-small btn-primary" href={url}>
              {t('settings.openNewUrl')}
            </a>
          </div>
        </div>
      ) : (
        <div className="card-actions">
          <p className="hint">{t('settings.newTokenHint')}</p>
          <button
            type="button"
            className="btn"
            data-testid="settings-new-token"
            disabled={rotate.isPending}
            onClick={() => rotate.mutate()}
          >
            {t('settings.newToken')}
          </button>
        </div>
      )}
    </section>
  );
}
