import { useTranslation } from 'react-i18next';
import type { DownloadJob } from '@shared/models';
import { PauseIcon, PlayIcon } from '../../components/icons';
import type { useJobAction } from '../models/queries';

type JobActionMutation = ReturnType<typeof useJobAction>;

/**
 * Pause while a job runs or waits, Resume once it is paused, nothing otherwise. The caller owns the mutations (and
 * shows their errors); the test ids are `${testIdPrefix}-pause` and `${testIdPrefix}-resume`.
 */
export function PauseResumeButtons({
  job,
  pause,
  resume,
  testIdPrefix,
}: {
  job: DownloadJob;
  pause: JobActionMutation;
  resume: JobActionMutation;
  testIdPrefix: string;
}) {
  const { t } = useTranslation();
  const s = job.state;
  return (
    <>
      {(s === 'downloading' || s === 'queued') && (
        <button
          type="button"
          className="btn btn-small"
          data-testid={`${testIdPrefix}-pause`}
          onClick={() => pause.mutate(job.id)}
          disabled={pause.isPending}
        >
          <PauseIcon size={14} />
          {t('downloads.pause')}
        </button>
      )}
      {s === 'paused' && (
        <button
          type="button"
          className="btn btn-small btn-primary"
          data-testid={`${testIdPrefix}-resume`}
          onClick={() => resume.mutate(job.id)}
          disabled={resume.isPending}
        >
          <PlayIcon size={14} />
          {t('downloads.resume')}
        </button>
      )}
    </>
  );
}
