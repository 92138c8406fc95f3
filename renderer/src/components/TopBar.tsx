import { useTranslation } from 'react-i18next';
import type { Lang } from '@shared/errors';
import { useUpdateSettings } from '../api/queries';
import { LANGS } from '../i18n/resolve';
import { useUi } from '../stores/ui';
import { StatusPill } from './StatusPill';

export function TopBar() {
  const { t, i18n } = useTranslation();
  const view = useUi((s) => s.view);
  const update = useUpdateSettings();
  return (
    <header className="topbar">
      <h1 className="page-title">{t(`nav.${view}`)}</h1>
      <div className="topbar-right">
        <StatusPill />
        <label className="lang-select">
          <span className="sr-only">{t('topbar.language')}</span>
          <select
            className="select select-small"
            data-testid="lang-select"
            value={i18n.resolvedLanguage === 'zh-CN' ? 'zh-CN' : 'en'}
            onChange={(e) => {
              const lang = e.target.value as Lang;
              void i18n.changeLanguage(lang);
              update.mutate({ language: lang });
            }}
          >
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {t(`languages.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
    </header>
  );
}
