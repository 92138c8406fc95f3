import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadJob } from '@shared/models';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, CloseIcon, PlayIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { useLoadModel } from '../library/useLoadModel';
import { useJobAction, useRemoveJob, useStartDownload } from '../models/queries';
import { hostOf, requestOf } from './format';
import { PauseResumeButtons } from './PauseResumeButtons';
import { useDownloadText } from './useDownloadText';

/** One job: what, from where, how far, how fast, and the buttons that fit its state. */
export function DownloadRow({ job }: { job: DownloadJob }) {
  const { t } = useTranslation();
  const text = useDownloadText();
  const pause = useJobAction('downloads.pause');
  const resume = useJobAction('downloads.resume');
  const cancel = useJobAction('downloads.cancel');
  const remove = useRemoveJob();
  // A failed job is retried by asking for it again: the core resumes it into the same partial file.
  const retry = useStartDownload();
  const { load } = useLoadModel();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const s = job.state;
  const running = s === 'queued' || s === 'downloading' || s === 'verifying';
  const actionError = pause.error ?? resume.error ?? cancel.error ?? remove.error ?? retry.error;
  const fraction = job.totalBytes > 0 ? job.receivedBytes / job.totalBytes : null;

  return (
    <li className={`download-row state-${s}`} data-testid="download-row" data-state={s} data-id={job.id}>
      <div className="download-head">
        <div className="download-title">
          <span className="download-name">{job.name}</span>
          {job.quant && <span className="chip mono">{job.quant}</span>}
        </div>
        <span className={`state-chip state-chip-${s}`} data-testid="download-state">
          {s === 'completed' && <CheckIcon size={13} />}
          {t(`downloads.states.${s}`)}
        </span>
      </div>
      <div className="download-sub muted small">
        <span className="mono ellipsis">{job.repo}</span>
        {job.endpoint && <span>{t('downloads.via', { host: hostOf(job.endpoint.url) })}</span>}
        {job.files.length > 1 && <span>{t('downloads.files', { count: job.files.length })}</span>}
      </div>
      {s !== 'completed' && s !== 'cancelled' && (
        <ProgressBar
          value={s === 'verifying' ? null : fraction}
          testId="download-progress"
          label={t('downloads.progressLabel', { name: job.name })}
        />
      )}
      <div className="download-foot">
        <span className="download-figures" data-testid="download-figures">
          {s === 'verifying'
            ? t('downloads.verifyingText')
            : s === 'completed'
              ? t('downloads.verified')
              : text.figures(job).join(' · ')}
        </span>
        <div className="download-actions">
          {confirmCancel ? (
            <>
              <span className="small">{t('downloads.confirmCancel')}</span>
              <button
                type="button"
                className="btn btn-small btn-danger-ghost"
                data-testid="download-cancel-confirm"
                onClick={() => {
                  setConfirmCancel(false);
                  cancel.mutate(job.id);
                }}
              >
                {t('downloads.yesCancel')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirmCancel(false)}>
                {t('downloads.keep')}
              </button>
            </>
          ) : (
            <>
              <PauseResumeButtons job={job} pause={pause} resume={resume} testIdPrefix="download" />
              {s === 'failed' && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="download-retry"
                  onClick={() => retry.mutate(requestOf(job))}
                  disabled={retry.isPending}
                >
                  <PlayIcon size={14} />
                  {t('downloads.retry')}
                </button>
              )}
              {s === 'completed' && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="download-load"
                  onClick={() => load(job.targetPath)}
                >
                  <PlayIcon size={14} />
                  {t('downloads.load')}
                </button>
              )}
              {(running || s === 'paused') && s !== 'verifying' && (
                <button
                  type="button"
                  className="btn btn-small btn-danger-ghost"
                  data-testid="download-cancel"
                  onClick={() => setConfirmCancel(true)}
                >
                  <CloseIcon size={14} />
                  {t('downloads.cancel')}
                </button>
              )}
              {(s === 'completed' || s === 'failed' || s === 'cancelled') && (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="download-remove"
                  onClick={() => remove.mutate(job.id)}
                  disabled={remove.isPending}
                >
                  {t('downloads.remove')}
                </button>
              )}
            </>
          )}
        </div>
      </div>
      {job.error && s === 'failed' && <ErrorMessage error={job.error} testId="download-error" compact />}
      {actionError && <ErrorMessage error={actionError} compact />}
    </li>
  );
}
