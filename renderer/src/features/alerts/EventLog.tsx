/** Every alert since the app started (the core's list), newest first, extended live by `alert` events. */
import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useFormats } from '../monitor/format';
import { useAlerts } from './queries';
import { useAlertText } from './useAlertText';

const SHOWN = 100;

export function EventLog() {
  const { t } = useTranslation();
  const f = useFormats();
  const text = useAlertText();
  const { data: alerts, error } = useAlerts();
  const recent = alerts ? alerts.slice(-SHOWN).reverse() : [];
  return (
    <section className="card event-log">
      <h2 className="card-title">{t('alerts.log')}</h2>
      {error && <ErrorMessage error={error} compact />}
      <ol className="event-list" data-testid="event-log" data-count={alerts?.length ?? 0} aria-live="off">
        {recent.length === 0 && !error && <li className="event-empty muted">{t('alerts.empty')}</li>}
        {recent.map((a) => (
          <li key={a.id} className={`event-item level-${a.level}`} data-kind={a.kind}>
            <time className="event-time mono" dateTime={new Date(a.ts).toISOString()}>
              {f.time(a.ts)}
            </time>
            <span className="event-dot" aria-hidden="true" />
            <span className="sr-only">{t(`alerts.levels.${a.level}`)}</span>
            <span className="event-text">{text(a)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
