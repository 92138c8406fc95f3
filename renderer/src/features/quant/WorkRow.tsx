import { useState } from 'react';
import type { WorkJob } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, CloseIcon, PlayIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { fileName } from '../../lib/format';
import { useLoadModel } from '../library/useLoadModel';
import { QualitySummary } from './QualitySummary';
import { useCancelWork, useRemoveWork } from './queries';
import { useWorkText } from './useWorkText';
import { canCancelWork, canRemoveWork, workFraction, workPercent } from './work-view';

/** One job of the work queue: what, on which model, how far and how fast, and the buttons that fit its state. */
export function WorkRow({ job }: { job: WorkJob }) {
  const text = useWorkText();
  const { t } = text;
  const cancel = useCancelWork();
  const remove = useRemoveWork();
  const { load, error: loadError } = useLoadModel();
  const [confirm, setConfirm] = useState(false);
  const s = job.state;
  const kind = t(`jobs.kind.${job.kind}`);
  const actionError = cancel.error ?? remove.error ?? loadError;

  return (
    <li className={`work-row state-${s}`} data-testid="work-row" data-kind={job.kind} data-state={s} data-id={job.id}>
      <div className="work-head">
        <div className="work-title">
          <span className="work-kind">{kind}</span>
          <span className="work-name ellipsis" title={job.modelPath}>
            {job.modelName}
          </span>
          <span className="chip mono">{text.target(job)}</span>
        </div>
        <span className={`state-chip state-chip-${s}`} data-testid="work-state">
          {s === 'completed' && <CheckIcon size={13} />}
          {t(`jobs.state.${s}`)}
        </span>
      </div>
      {(s === 'running' || s === 'queued') && (
        <div className="work-bar">
          <ProgressBar
            value={workFraction(job)}
            testId="work-progress"
            label={t('jobs.progressLabel', { kind, name: job.modelName })}
          />
          <span className="small muted work-percent">{t('jobs.percent', { n: workPercent(job) })}</span>
        </div>
      )}
      <div className="work-foot">
        <span className="small muted" data-testid="work-figures">
          {text.figures(job).join(' · ')}
          {s === 'completed' &&
            job.kind !== 'quality' &&
            job.outputPath &&
            t('jobs.output', { file: fileName(job.outputPath) })}
          {s === 'interrupted' && t('jobs.interruptedHint')}
        </span>
        <div className="work-actions">
          {confirm ? (
            <>
              <span className="small">{t('jobs.confirmCancel')}</span>
              <button
                type="button"
                className="btn btn-small btn-danger-ghost"
                data-testid="work-cancel-confirm"
                onClick={() => {
                  setConfirm(false);
                  cancel.mutate(job.id);
                }}
              >
                {t('jobs.yesCancel')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
                {t('jobs.keep')}
              </button>
            </>
          ) : (
            <>
              {s === 'completed' && job.kind === 'quantize' && job.outputPath && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="work-load"
                  onClick={() => load(job.outputPath!)}
                >
                  <PlayIcon size={14} />
                  {t('jobs.load')}
                </button>
              )}
              {canCancelWork(job) && (
                <button
                  type="button"
                  className="btn btn-small btn-danger-ghost"
                  data-testid="work-cancel"
                  disabled={cancel.isPending}
                  onClick={() => setConfirm(true)}
                >
                  <CloseIcon size={14} />
                  {t('jobs.cancel')}
                </button>
              )}
              {canRemoveWork(job) && (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="work-remove"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(job.id)}
                >
                  {t('jobs.remove')}
                </button>
              )}
            </>
          )}
        </div>
      </div>
      {s === 'completed' && job.result && <QualitySummary result={job.result} cached={job.cached} />}
      {job.error && (s === 'failed' || s === 'interrupted') && (
        <ErrorMessage error={job.error} testId="work-error" compact />
      )}
      {actionError && <ErrorMessage error={actionError} compact />}
    </li>
  );
}
