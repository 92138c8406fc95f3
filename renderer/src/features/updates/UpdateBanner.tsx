import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { updateBanner } from './banner';
import { useAppUpdate, useInstallUpdate } from './queries';
import './update.css';

/** "DeepLocal X is ready — Restart to update" (desktop app only), with the release notes as plain text. */
export function UpdateBanner() {
  const { t } = useTranslation();
  const state = useAppUpdate();
  const install = useInstallUpdate();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [showNotes, setShowNotes] = useState(false);
  const banner = updateBanner(state, dismissed);
  if (!banner) return null;

  if (banner.kind === 'downloading')
    return (
      <div className="update-banner update-banner-quiet" role="status" data-testid="update-banner">
        <span className="update-text">{t('update.downloading', banner)}</span>
        <button type="button" className="btn btn-small" onClick={() => setDismissed(banner.version)}>
          {t('update.later')}
        </button>
      </div>
    );

  return (
    <div className="update-banner" role="status" data-testid="update-banner">
      <div className="update-row">
        <strong className="update-text">{t('update.ready', { version: banner.version })}</strong>
        {banner.notes && (
          <button type="button" className="btn btn-small" onClick={() => setShowNotes((v) => !v)}>
            {showNotes ? t('update.hideNotes') : t('update.notes')}
          </button>
        )}
        <button
          type="button"
          className="btn btn-small btn-primary"
          disabled={install.isPending || install.isSuccess}
          onClick={() => install.mutate()}
        >
          {install.isPending || install.isSuccess ? t('update.restarting') : t('update.restart')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => setDismissed(banner.version)}>
          {t('update.later')}
        </button>
      </div>
      {/* Text, never HTML: the notes come from the feed. */}
      {showNotes && banner.notes && <div className="update-notes">{banner.notes}</div>}
      {install.error && <ErrorMessage error={install.error} />}
    </div>
  );
}
