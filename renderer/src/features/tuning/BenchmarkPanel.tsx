import { useState } from 'react';
import type { TuneJob } from '@shared/tuning';
import { useConnState } from '../../api/context';
import { useSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon, CloseIcon, SparkIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { fileName } from '../../lib/format';
import { useCancelTune, useStartTune, useTuneJob } from './queries';
import { SavedDefaults } from './SavedDefaults';
import { TuneTable } from './TuneTable';
import { useTuneText } from './useTuneText';
import { barValue, bestOf, isRunning, jobFor, ratioPercent, rowOf } from './view';
import './tuning.css';

/**
 * "Benchmark this model" on the Model page: the model's saved defaults, Benchmark (quick, or every combination),
 * progress with phase, configurations measured, time left and Cancel, then the table with the best for chat and
 * what the app itself reaches with it.
 */
export function BenchmarkPanel({ modelPath }: { modelPath: string }) {
  const { t } = useTuneText();
  const online = useConnState().status === 'open';
  const { data: settings } = useSettings();
  const { data: current, error: statusError } = useTuneJob();
  const start = useStartTune();
  const [exhaustive, setExhaustive] = useState(false);
  const startedHere = start.data && start.variables?.modelPath === modelPath ? start.data.id : null;
  const shown = jobFor(current, modelPath, startedHere);
  const anyRunning = isRunning(current);
  const canStart = online && modelPath !== '' && !anyRunning && !start.isPending;
  const onStart = () => {
    if (canStart) start.mutate({ modelPath, mode: exhaustive ? 'exhaustive' : 'auto' });
  };

  return (
    <section
      className="card tune-panel"
      data-testid="tune-panel"
      data-state={shown.kind === 'this' ? shown.job.state : 'none'}
    >
      <div className="tune-head">
        <h2 className="card-title">{t('tune.title')}</h2>
        <div className="tune-actions">
          <label className="tune-mode" title={t('tune.exhaustiveHint')}>
            <input
              type="checkbox"
              data-testid="tune-exhaustive"
              checked={exhaustive}
              disabled={anyRunning}
              onChange={(e) => setExhaustive(e.target.checked)}
            />
            <span className="small">{t('tune.exhaustive')}</span>
          </label>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="tune-start"
            onClick={onStart}
            disabled={!canStart}
          >
            <SparkIcon size={15} />
            {shown.kind === 'this' ? t('tune.again') : t('tune.start')}
          </button>
        </div>
      </div>
      <p className="hint tune-intro">{modelPath ? t('tune.intro') : t('tune.chooseModel')}</p>
      {modelPath !== '' && (
        <SavedDefaults
          modelPath={modelPath}
          global={settings?.loadOptions ?? null}
          onBenchmark={onStart}
          canBenchmark={canStart}
        />
      )}
      {start.error && <ErrorMessage error={start.error} testId="tune-start-error" compact />}
      {statusError && <ErrorMessage error={statusError} compact />}
      {shown.kind === 'other' && (
        <p className="small muted" data-testid="tune-other">
          {t('tune.otherRunning', { name: fileName(shown.job.modelPath) })}
        </p>
      )}
      {shown.kind !== 'none' && <JobProgress job={shown.job} />}
      {shown.kind === 'this' && <JobResults job={shown.job} />}
    </section>
  );
}

/** Phase, configurations measured, time left and Cancel while running; how it ended once it has. */
function JobProgress({ job }: { job: TuneJob }) {
  const text = useTuneText();
  const { t } = text;
  const cancel = useCancelTune();
  const running = isRunning(job);
  return (
    <div className="tune-job" data-testid="tune-job" data-phase={job.phase} data-state={job.state}>
      {running && (
        <div className="tune-job-head">
          <ProgressBar value={barValue(job)} testId="tune-progress" label={t('tune.progressLabel')} />
          <button
            type="button"
            className="btn btn-small btn-danger-ghost"
            data-testid="tune-cancel"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate()}
          >
            <CloseIcon size={14} />
            {t('tune.cancel')}
          </button>
        </div>
      )}
      <span className="small muted" data-testid="tune-figures">
        {text.figures(job).join(' · ')}
      </span>
      {(job.state === 'cancelled' || job.state === 'failed') && (
        <span className="small tune-outcome" data-testid="tune-outcome">
          {t(`tune.state.${job.state}`)}
        </span>
      )}
      {job.error && <ErrorMessage error={job.error} testId="tune-error" compact />}
      {cancel.error && <ErrorMessage error={cancel.error} compact />}
    </div>
  );
}

/** The table, the best for chat with its figures, the app's own figure beside llama-bench's, and "saved". */
function JobResults({ job }: { job: TuneJob }) {
  const text = useTuneText();
  const { t } = text;
  const best = bestOf(job);
  const bestRow = rowOf(job.rows, best?.config ?? null);
  if (job.rows.length === 0) return null;
  return (
    <>
      <TuneTable rows={job.rows} best={best} />
      {best && (
        <div className="tune-best" data-testid="tune-best" data-final={best.final ? 'true' : 'false'}>
          <div>
            <span className="tune-best-title">{best.final ? t('tune.best') : t('tune.bestSoFar')}</span>
            <span className="small"> {text.config(best.config)}</span>
          </div>
          {bestRow?.tgTps != null && (
            <div className="small mono" data-testid="tune-best-figures">
              {t('tune.bestFigures', {
                tg: text.tps(bestRow.tgTps),
                pp: bestRow.ppTps != null ? text.tps(bestRow.ppTps) : '—',
              })}
            </div>
          )}
          {job.appCheck && (
            <div className="small tune-app-check" data-testid="tune-app-check" title={t('tune.appCheckHint')}>
              {t('tune.appCheck', {
                tps: text.tps(job.appCheck.appTgTps),
                pct: ratioPercent(job.appCheck.ratio),
              })}
            </div>
          )}
          {job.saved && (
            <div className="small tune-saved" data-testid="tune-saved">
              <CheckIcon size={13} /> {t('tune.saved')}
            </div>
          )}
          <div className="hint">{t('tune.bestRule')}</div>
        </div>
      )}
    </>
  );
}
