import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UpdateSettings } from '@shared/app-update';
import { useAppInfo, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useAppUpdate } from './queries';

/** Settings → App updates (desktop app only): check at start, GitHub or a mirror, and where the updater stands. */
export function UpdateSettingsCard() {
  const { data: info } = useAppInfo();
  const { data: settings } = useSettings();
  if (info?.shell !== 'electron' || !settings) return null;
  // Keyed by the saved value: a save (or a change from elsewhere) starts a fresh draft.
  return <UpdateSettingsForm key={JSON.stringify(settings.updates)} saved={settings.updates} />;
}

function UpdateSettingsForm({ saved }: { saved: UpdateSettings }) {
  const { t } = useTranslation();
  const id = useId();
  const update = useUpdateSettings();
  const state = useAppUpdate();
  const [url, setUrl] = useState(saved.url ?? '');
  const save = (patch: Partial<UpdateSettings>) => update.mutate({ updates: patch });

  return (
    <section className="card" data-testid="update-settings">
      <h2 className="card-title">{t('update.title')}</h2>
      <label className="switch-row">
        <input
          type="checkbox"
          className="switch"
          checked={saved.check}
          onChange={(e) => save({ check: e.target.checked })}
        />
        <span>{t('update.check')}</span>
      </label>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-feed`}>{t('update.feed')}</label>
          <select
            id={`${id}-feed`}
            className="select"
            value={saved.feed}
            onChange={(e) => save({ feed: e.target.value as UpdateSettings['feed'] })}
          >
            <option value="github">{t('update.feedGithub')}</option>
            <option value="generic">{t('update.feedGeneric')}</option>
          </select>
        </div>
        {saved.feed === 'generic' && (
          <div className="field">
            <label htmlFor={`${id}-url`}>{t('update.url')}</label>
            <input
              id={`${id}-url`}
              className="input"
              type="url"
              placeholder="https://"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              onBlur={() => url.trim() !== (saved.url ?? '') && save({ url: url.trim() || null })}
            />
          </div>
        )}
      </div>
      {update.error && <ErrorMessage error={update.error} compact />}
      {state && (
        <p className="muted" data-testid="update-phase">
          {t('update.current', { version: state.currentVersion })}{' '}
          {t(`update.phase.${state.phase}`, { version: state.version ?? '', percent: Math.round(state.percent ?? 0) })}{' '}
          {state.phase === 'disabled' && state.disabledReason && t(`update.disabled.${state.disabledReason}`)}
        </p>
      )}
      {state?.phase === 'error' && state.error && <ErrorMessage error={state.error} compact />}
    </section>
  );
}
