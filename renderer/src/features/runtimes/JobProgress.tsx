import type { RuntimeJob } from '@shared/runtimes';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, CloseIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { useCancelRuntimeJob } from './queries';
import { useRuntimeText } from './useRuntimeText';
import { isFinished, jobFraction } from './view';
import './runtimes.css';

/** Getting one runtime: phase, bytes, speed and time left, Cancel while it runs, the error when it failed. */
export function JobProgress({ job }: { job: RuntimeJob }) {
  const text = useRuntimeText();
  const { t } = text;
  const cancel = useCancelRuntimeJob();
  const finished = isFinished(job.phase);
  return (
    <div className="runtime-job" data-testid="runtime-job" data-phase={job.phase} data-variant={job.variant}>
      <div className="runtime-job-head">
        <span className="runtime-job-title">
          {text.variant(job.variant)}
          {job.tag && <span className="muted small mono"> {job.tag}</span>}
        </span>
        {!finished && (
          <button
            type="button"
            className="btn btn-small btn-danger-ghost"
            data-testid="runtime-job-cancel"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(job.id)}
          >
            <CloseIcon size={14} />
            {t('cancel')}
          </button>
        )}
      </div>
      {job.phase !== 'cancelled' && job.phase !== 'failed' && (
        <ProgressBar
          value={jobFraction(job)}
          testId="runtime-job-progress"
          label={t('progressLabel', { variant: text.variant(job.variant) })}
        />
      )}
      <span className="small muted" data-testid="runtime-job-figures">
        {job.phase === 'done' && <CheckIcon size={13} />}
        {text.jobFigures(job).join(' · ')}
      </span>
      {job.error && <ErrorMessage error={job.error} testId="runtime-job-error" compact />}
      {cancel.error && <ErrorMessage error={cancel.error} compact />}
    </div>
  );
}
