import type { AvailableRuntime, RuntimeJob } from '@shared/runtimes';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, DownloadIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { hostOf } from '../downloads/format';
import { JobProgress } from './JobProgress';
import { useAvailableRuntimes, useGetRuntime } from './queries';
import { useRuntimeText } from './useRuntimeText';
import { isFinished, jobForVariant } from './view';
import './runtimes.css';

/** What the release feed offers for this computer, each with its size and Get; a job's progress under its row. */
export function AvailableRuntimes({ jobs }: { jobs: RuntimeJob[] }) {
  const { t } = useRuntimeText();
  const available = useAvailableRuntimes();
  const offered = available.data?.runtimes ?? [];
  // Jobs for variants the feed did not list (it failed to answer, or an update): still shown, with their outcome.
  const others = jobs.filter((j) => !offered.some((a) => a.variant === j.variant) && !isFinished(j.phase));
  return (
    <div className="runtime-available" data-testid="runtime-available">
      <h3 className="runtime-subtitle">{t('available')}</h3>
      {available.data && (
        <p className="hint">{t('availableHint', { tag: available.data.tag, host: hostOf(available.data.endpoint) })}</p>
      )}
      {available.isLoading && <p className="muted small">{t('availableLoading')}</p>}
      {available.error && <ErrorMessage error={available.error} testId="runtime-available-error" compact />}
      {available.data && offered.length === 0 && <p className="muted small">{t('availableNone')}</p>}
      <ul className="runtime-list">
        {offered.map((a) => (
          <OfferRow key={`${a.tag}-${a.variant}`} offer={a} job={jobForVariant(jobs, a.variant)} />
        ))}
        {others.map((j) => (
          <li key={j.id} className="runtime-row">
            <JobProgress job={j} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function OfferRow({ offer: a, job }: { offer: AvailableRuntime; job: RuntimeJob | null }) {
  const text = useRuntimeText();
  const { t, i18n } = text;
  const get = useGetRuntime();
  const running = job !== null && !isFinished(job.phase);
  return (
    <li className="runtime-row" data-testid="runtime-offer" data-variant={a.variant} data-installed={a.installed}>
      <div className="runtime-row-head">
        <div className="runtime-row-title">
          <span className="runtime-variant">{text.variant(a.variant)}</span>
          <span className="chip mono">{a.tag}</span>
          <span className="muted small">{formatBytes(a.totalBytes, i18n.resolvedLanguage ?? 'en')}</span>
          {a.installed && (
            <span className="badge badge-ok" data-testid="runtime-offer-installed">
              <CheckIcon size={12} /> {t('installedMark')}
            </span>
          )}
        </div>
        <div className="runtime-row-actions">
          {!a.installed && !running && (
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid="runtime-get"
              disabled={get.isPending}
              onClick={() => get.mutate({ variant: a.variant, tag: a.tag })}
            >
              <DownloadIcon size={14} />
              {job && (job.phase === 'failed' || job.phase === 'cancelled') ? t('retry') : t('get')}
            </button>
          )}
        </div>
      </div>
      <div className="muted small mono ellipsis">{a.assets.map((x) => x.name).join(' + ')}</div>
      {job && (running || !a.installed) && <JobProgress job={job} />}
      {get.error && <ErrorMessage error={get.error} compact />}
    </li>
  );
}
