import { useQuantText } from '../../lib/useQuantText';
import { useLiveWork, useWorkJobs } from './queries';
import { activeWorkCount } from './work-view';

/**
 * The count of running and queued work jobs, for the Downloads nav entry (beside DownloadsBadge). Mounted in the
 * always-present sidebar, it also keeps the jobs list live from the start (work.progress / work.removed).
 */
export function WorkBadge() {
  const t = useQuantText();
  useLiveWork();
  const { data } = useWorkJobs();
  const n = activeWorkCount(data);
  if (n === 0) return null;
  return (
    <span className="nav-badge" data-testid="work-badge" aria-label={t('jobs.badge', { count: n })}>
      {n}
    </span>
  );
}
