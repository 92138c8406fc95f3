import { useTranslation } from 'react-i18next';
import type { DownloadJob, DownloadRequest, LibraryModel } from '@shared/models';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, DownloadIcon, PlayIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { useUi } from '../../stores/ui';
import { useLoadModel } from '../library/useLoadModel';
import { useJobAction, useStartDownload } from '../models/queries';
import { percent } from './format';

/**
 * The action cell of a catalog quant or a repo file: Download, its live progress (click opens Downloads), Resume,
 * or Installed + Load once the file is in the library.
 */
export function DownloadAction({
  request,
  job,
  installed,
}: {
  request: DownloadRequest;
  job: DownloadJob | undefined;
  installed: LibraryModel | undefined;
}) {
  const { t } = useTranslation();
  const start = useStartDownload();
  const resume = useJobAction('downloads.resume');
  const setView = useUi((s) => s.setView);
  const { load } = useLoadModel();

  if (installed) {
    return (
      <div className="dl-action">
        <span className="installed" data-testid="installed">
          <CheckIcon size={13} />
          {t('models.installed')}
        </span>
        <button type="button" className="btn btn-small" data-testid="load-btn" onClick={() => load(installed.path)}>
          <PlayIcon size={13} />
          {t('models.load')}
        </button>
      </div>
    );
  }
  const state = job?.state;
  if (job && (state === 'queued' || state === 'downloading' || state === 'verifying' || state === 'paused')) {
    const pct = percent(job.receivedBytes, job.totalBytes);
    return (
      <div className="dl-action">
        <button
          type="button"
          className="dl-progress"
          data-testid="download-status"
          data-state={state}
          onClick={() => setView('downloads')}
          title={t('models.openDownloads')}
        >
          <span className="dl-progress-text">
            {state === 'verifying'
              ? t('models.verifying')
              : state === 'queued'
                ? t('models.queued')
                : state === 'paused'
                  ? t('models.paused', { pct })
                  : t('models.downloading', { pct })}
          </span>
          <ProgressBar
            value={state === 'verifying' ? null : job.totalBytes ? job.receivedBytes / job.totalBytes : null}
          />
        </button>
        {state === 'paused' && (
          <button
            type="button"
            className="btn btn-small"
            data-testid="download-resume"
            onClick={() => resume.mutate(job.id)}
            disabled={resume.isPending}
          >
            {t('downloads.resume')}
          </button>
        )}
      </div>
    );
  }
  const error = start.error ?? (state === 'failed' ? job?.error : null);
  // Two siblings: the cell around them is `display: contents`, so the error spans the whole row.
  return (
    <>
      <div className="dl-action">
        <button
          type="button"
          className="btn btn-small"
          data-testid="download-btn"
          onClick={() => start.mutate(request)}
          disabled={start.isPending}
        >
          <DownloadIcon size={14} />
          {state === 'failed' ? t('downloads.retry') : t('models.download')}
        </button>
      </div>
      {error && (
        <div className="dl-action-error">
          <ErrorMessage error={error} testId="download-start-error" compact />
        </div>
      )}
    </>
  );
}

const base = (p: string) => p.split(/[\\/]/).pop()?.toLowerCase() ?? p;

/** The library entry for a file (by name: the models folder keeps the hub's file name). */
export function findInstalled(
  library: readonly LibraryModel[] | undefined,
  firstFile: string,
): LibraryModel | undefined {
  const name = base(firstFile);
  return library?.find((m) => base(m.path) === name && !m.error);
}

/** The newest job for a catalog quant or a repo file that is not cancelled. */
export function findJob(
  jobs: readonly DownloadJob[] | undefined,
  match: (j: DownloadJob) => boolean,
): DownloadJob | undefined {
  return jobs?.filter((j) => j.state !== 'cancelled' && match(j)).sort((a, b) => b.createdAt - a.createdAt)[0];
}
