/**
 * "Check quality" (issue 14 §2): choose the text, see what runs (perplexity; KL-divergence against the most precise
 * installed sibling when there is one), start; a cached answer is shown as such with "Measure again", never measured
 * again silently. While it runs, the job's row (progress, phase, speed, time left, cancel) from the jobs list.
 */
import { useState } from 'react';
import type { EvalTextId } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { fileName } from '../../lib/format';
import { useQuantText } from '../../lib/useQuantText';
import { JobsList } from '../quant/JobsList';
import { Modal } from '../quant/Modal';
import { useLiveWork, useWorkJobs } from '../quant/queries';
import { QualityResultView } from './QualityResultView';
import { QualityTextChoice } from './QualityTextChoice';
import { cachedFor, defaultText, qualityRun, type QualityRun } from './quality-view';
import { useComparison, useQualityResults, useQualityStart } from './queries';
import { useLng } from './useLng';
import './quantizations.css';

export interface QualityDialogProps {
  modelPath: string;
  onClose: () => void;
}

export function QualityDialog({ modelPath, onClose }: QualityDialogProps) {
  const t = useQuantText();
  const lng = useLng();
  const [text, setText] = useState<EvalTextId>(() => defaultText(lng));
  const comparison = useComparison(modelPath, text);
  const results = useQualityResults(modelPath);
  const start = useQualityStart();
  useLiveWork();
  const { data: jobs } = useWorkJobs();

  const run = qualityRun(modelPath, comparison.data);
  const cached = cachedFor(results.data ?? [], text, run);
  const started = start.data;
  const job = started ? (jobs?.find((j) => j.id === started.id) ?? started) : null;
  const done = job?.state === 'completed' && job.result ? job.result : null;
  const active = job !== null && (job.state === 'queued' || job.state === 'running');
  const shown = done ?? (job ? null : cached);
  const go = (force: boolean) => start.mutate({ modelPath, text, kld: 'auto', ...(force ? { force: true } : {}) });

  return (
    <Modal testId="quality-dialog" label={t('quality.title')} onClose={onClose} busy={start.isPending}>
      <h2>{t('quality.title')}</h2>
      <p className="muted small mono ellipsis" title={modelPath}>
        {fileName(modelPath)}
      </p>
      <p className="small">{t('quality.intro')}</p>
      <QualityTextChoice
        value={text}
        disabled={start.isPending || active}
        onChange={(v) => {
          setText(v);
          start.reset();
        }}
      />
      <WhatRuns run={run} text={text} />
      {comparison.error && <ErrorMessage error={comparison.error} compact />}
      {results.error && <ErrorMessage error={results.error} compact />}
      {job && !done && (
        <>
          <JobsList filter={(j) => j.id === job.id} />
          <p className="small muted">{t('quality.background')}</p>
        </>
      )}
      {shown && <QualityResultView result={shown} cached={done ? job!.cached : true} />}
      {start.error && <ErrorMessage error={start.error} testId="quality-error" />}
      <div className="quant-dialog-foot">
        <button type="button" className="btn" data-testid="quality-close" onClick={onClose}>
          {t('quality.close')}
        </button>
        {shown ? (
          <button
            type="button"
            className="btn"
            data-testid="quality-force"
            disabled={start.isPending}
            onClick={() => go(true)}
          >
            {t('quality.force')}
          </button>
        ) : (
          !active && (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="quality-start"
              disabled={start.isPending}
              onClick={() => go(false)}
            >
              {start.isPending ? t('quality.starting') : t('quality.start')}
            </button>
          )
        )}
      </div>
    </Modal>
  );
}

function WhatRuns({ run, text }: { run: QualityRun; text: EvalTextId }) {
  const t = useQuantText();
  const why =
    run.kind === 'kld'
      ? t('quality.runKld', { reference: run.reference })
      : run.why === 'no-reference'
        ? t('quality.runNoReference')
        : run.why === 'is-reference'
          ? t('quality.runIsReference')
          : t('quality.runReferenceUnknown');
  return (
    <div className="qz-runs" data-testid="quality-runs" data-kld={run.kind === 'kld' ? run.reference : undefined}>
      <span className="qz-label">{t('quality.willRun')}</span>
      <ul className="small">
        <li>{t('quality.runPpl', { text: t(`quality.texts.${text}`) })}</li>
        <li>{why}</li>
      </ul>
    </div>
  );
}
