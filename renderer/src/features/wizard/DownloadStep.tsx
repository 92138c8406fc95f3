import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, DownloadIcon, PlayIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes } from '../../lib/format';
import { findInstalled, findJob } from '../downloads/DownloadAction';
import { hostOf, percent } from '../downloads/format';
import { PauseResumeButtons } from '../downloads/PauseResumeButtons';
import { useDownloadText } from '../downloads/useDownloadText';
import { useDownloads, useJobAction, useLibrary, useStartDownload } from '../models/queries';
import { useWizard } from './store';
import { useChoice } from './useChoice';

/** Download with progress, speed, ETA and pause; then the SHA-256 / GGUF check; nothing to do if it is installed. */
export function DownloadStep() {
  const { t, i18n } = useTranslation();
  const text = useDownloadText();
  const { choice } = useChoice();
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const jobId = useWizard((s) => s.jobId);
  const setJob = useWizard((s) => s.setJob);
  const start = useStartDownload();
  const pause = useJobAction('downloads.pause');
  const resume = useJobAction('downloads.resume');
  if (!choice) return null;
  const { model, quant } = choice;
  const installed = findInstalled(library, quant.files[0]!);
  const job =
    (jobId ? jobs?.find((j) => j.id === jobId) : undefined) ??
    findJob(jobs, (j) => j.catalogId === model.id && j.quant === quant.id);
  const s = job?.state;
  const downloaded = s === 'verifying' || s === 'completed' || (!!installed && !job);
  const verified = s === 'completed' || (!!installed && !job);
  const begin = () => start.mutate({ catalogId: model.id, quant: quant.id }, { onSuccess: (j) => setJob(j.id) });

  return (
    <div className="wizard-body" data-testid="wizard-download-step">
      <h2 className="wizard-title">{t('wizard.download.title')}</h2>
      <p className="muted">
        {t('wizard.download.what', {
          name: model.name,
          quant: quant.id,
          size: formatBytes(job?.totalBytes || quant.sizeBytes, i18n.resolvedLanguage ?? 'en'),
        })}
      </p>

      <ol className="substeps">
        <li className={downloaded ? 'done' : s === 'downloading' || s === 'queued' || s === 'paused' ? 'active' : ''}>
          {downloaded ? <CheckIcon size={14} /> : <span className="substep-dot" />}
          {t('wizard.download.stepDownload')}
        </li>
        <li
          className={verified ? 'done' : s === 'verifying' ? 'active' : ''}
          data-testid={verified ? 'wizard-verified' : undefined}
        >
          {verified ? <CheckIcon size={14} /> : <span className="substep-dot" />}
          {t('wizard.download.stepVerify')}
        </li>
      </ol>

      {installed && !job ? (
        <p className="wizard-ok" data-testid="wizard-installed">
          <CheckIcon size={15} />
          {t('wizard.download.already')}
        </p>
      ) : !job || s === 'cancelled' ? (
        <button
          type="button"
          className="btn btn-primary btn-large"
          data-testid="wizard-download"
          onClick={begin}
          disabled={start.isPending}
        >
          <DownloadIcon size={16} />
          {t('wizard.download.start', { size: formatBytes(quant.sizeBytes, i18n.resolvedLanguage ?? 'en') })}
        </button>
      ) : (
        <div className="wizard-progress-box" data-state={s}>
          <div className="progress-head">
            <span>{t(`downloads.states.${job.state}`)}</span>
            <span className="mono">{s === 'verifying' ? '' : `${percent(job.receivedBytes, job.totalBytes)}%`}</span>
          </div>
          <ProgressBar
            value={s === 'verifying' ? null : job.totalBytes ? job.receivedBytes / job.totalBytes : null}
            testId="wizard-progress"
            label={t('downloads.progressLabel', { name: job.name })}
          />
          <div className="download-foot">
            <span className="download-figures" data-testid="wizard-figures">
              {s === 'verifying'
                ? t('downloads.verifyingText')
                : s === 'completed'
                  ? t('wizard.download.verified')
                  : text.figures(job).join(' · ')}
              {job.endpoint && s !== 'completed' ? ` · ${t('downloads.via', { host: hostOf(job.endpoint.url) })}` : ''}
            </span>
            <div className="download-actions">
              <PauseResumeButtons job={job} pause={pause} resume={resume} testIdPrefix="wizard" />
              {s === 'failed' && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="wizard-retry"
                  onClick={begin}
                  disabled={start.isPending}
                >
                  <PlayIcon size={14} />
                  {t('downloads.retry')}
                </button>
              )}
            </div>
          </div>
          {job.error && s === 'failed' && <ErrorMessage error={job.error} testId="wizard-download-error" compact />}
        </div>
      )}
      {(start.error ?? pause.error ?? resume.error) && (
        <ErrorMessage error={start.error ?? pause.error ?? resume.error} compact />
      )}
    </div>
  );
}
