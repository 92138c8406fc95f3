import { useTranslation } from 'react-i18next';
import type { DownloadJob } from '@shared/models';
import { ErrorMessage } from '../../components/ErrorMessage';
import { DownloadIcon } from '../../components/icons';
import { useQuantText } from '../../lib/useQuantText';
import { useUi } from '../../stores/ui';
import { ACTIVE_STATES, useDownloads } from '../models/queries';
import { JobsList } from '../quant/JobsList';
import { useWorkJobs } from '../quant/queries';
import { DownloadRow } from './DownloadRow';

export function DownloadsPage() {
  const { t } = useTranslation();
  const { data: jobs, error, isPending } = useDownloads();
  const setView = useUi((s) => s.setView);
  const q = useQuantText();
  // The work queue (quantize, importance matrix, quality) is listed here too, as its own card.
  const { data: work, error: workError } = useWorkJobs();
  const workCard = <JobsList card title={q('jobs.title')} />;

  if (error)
    return (
      <div className="page page-narrow">
        <ErrorMessage error={error} />
      </div>
    );
  if (isPending) return <div className="page page-narrow muted">{t('common.loading')}</div>;
  if ((!jobs || jobs.length === 0) && ((work && work.length > 0) || workError))
    return <div className="page page-narrow">{workCard}</div>;
  if (!jobs || jobs.length === 0) {
    return (
      <div className="empty-state" data-testid="downloads-empty">
        <div className="empty-icon">
          <DownloadIcon size={28} />
        </div>
        <h2>{t('downloads.emptyTitle')}</h2>
        <p>{t('downloads.emptyText')}</p>
        <button type="button" className="btn btn-primary" onClick={() => setView('models')}>
          {t('downloads.browse')}
        </button>
      </div>
    );
  }
  const active = jobs.filter((j) => ACTIVE_STATES.has(j.state) || j.state === 'paused');
  const done = jobs.filter((j) => !(ACTIVE_STATES.has(j.state) || j.state === 'paused'));
  return (
    <div className="page page-narrow">
      <JobSection title={t('downloads.active')} jobs={active} />
      <JobSection title={t('downloads.finished')} jobs={done} />
      {workCard}
    </div>
  );
}

/** A card listing jobs; nothing when there are none. */
function JobSection({ title, jobs }: { title: string; jobs: DownloadJob[] }) {
  if (jobs.length === 0) return null;
  return (
    <section className="card">
      <h2 className="card-title">{title}</h2>
      <ul className="download-list">
        {jobs.map((j) => (
          <DownloadRow key={j.id} job={j} />
        ))}
      </ul>
    </section>
  );
}

/** The count of running and queued downloads, next to the nav entry. */
export function DownloadsBadge() {
  const { t } = useTranslation();
  const { data: jobs } = useDownloads();
  const n = (jobs ?? []).filter((j) => ACTIVE_STATES.has(j.state)).length;
  if (n === 0) return null;
  return (
    <span className="nav-badge" data-testid="downloads-badge" aria-label={t('downloads.badge', { count: n })}>
      {n}
    </span>
  );
}
