import type { WorkJob } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useQuantText } from '../../lib/useQuantText';
import { useLiveWork, useWorkJobs } from './queries';
import { WorkRow } from './WorkRow';
import './quant.css';

/**
 * The work queue (quantize, importance matrix, quality check), live. Used by the Downloads page (a "Jobs" card),
 * the Quantizations page and the make dialog (filtered by `filter`). `empty`: what to show with no jobs (nothing
 * when omitted, so a page section disappears). `card`: drawn as a page card.
 */
export function JobsList({
  filter,
  title,
  empty,
  card = false,
}: {
  filter?: (j: WorkJob) => boolean;
  title?: string;
  empty?: string;
  card?: boolean;
}) {
  const t = useQuantText();
  useLiveWork();
  const { data, error } = useWorkJobs();
  const jobs = (data ?? []).filter((j) => !filter || filter(j));
  if (!error && jobs.length === 0 && empty == null) return null;
  return (
    <section className={card ? 'card work-list-wrap' : 'work-list-wrap'} data-testid="work-list">
      {title && <h2 className="card-title">{title}</h2>}
      {error && <ErrorMessage error={error} compact />}
      {jobs.length === 0 && !error && <p className="muted small">{empty ?? t('jobs.empty')}</p>}
      {jobs.length > 0 && (
        <ul className="work-list">
          {jobs.map((j) => (
            <WorkRow key={j.id} job={j} />
          ))}
        </ul>
      )}
    </section>
  );
}
