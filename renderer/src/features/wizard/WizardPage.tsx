import { useTranslation } from 'react-i18next';
import type { HubSettings } from '@shared/models';
import { useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon } from '../../components/icons';
import { useUi } from '../../stores/ui';
import { findInstalled, findJob } from '../downloads/DownloadAction';
import { useDownloads, useLibrary } from '../models/queries';
import { DownloadStep } from './DownloadStep';
import { useSetWizardFlag } from './firstRun';
import { HardwareStep } from './HardwareStep';
import { MirrorStep } from './MirrorStep';
import { ModelStep } from './ModelStep';
import { StartStep } from './StartStep';
import { STEPS, useWizard, type WizardStep } from './store';
import { useChoice } from './useChoice';

const BODIES: Record<WizardStep, () => React.JSX.Element | null> = {
  hardware: HardwareStep,
  model: ModelStep,
  mirror: MirrorStep,
  download: DownloadStep,
  start: StartStep,
};

/**
 * First-run setup: hardware → recommended model → download source → download + verify → start → chat. A page, not
 * a modal: the sidebar stays usable, and Skip remembers the choice.
 */
export function WizardPage() {
  const { t } = useTranslation();
  const step = useWizard((s) => s.step);
  const go = useWizard((s) => s.go);
  const endpoint = useWizard((s) => s.endpoint);
  const setView = useUi((s) => s.setView);
  const setWizardFlag = useSetWizardFlag();
  const { data: settings } = useSettings();
  const update = useUpdateSettings();
  const { choice } = useChoice();
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const jobId = useWizard((s) => s.jobId);
  const index = STEPS.indexOf(step);

  const downloaded = (() => {
    if (!choice) return false;
    if (findInstalled(library, choice.quant.files[0]!)) return true;
    const job =
      (jobId ? jobs?.find((j) => j.id === jobId) : undefined) ??
      findJob(jobs, (j) => j.catalogId === choice.model.id && j.quant === choice.quant.id);
    return job?.state === 'completed';
  })();

  const canNext = step === 'model' ? !!choice : step === 'download' ? downloaded : step !== 'start';

  const next = () => {
    if (step === 'mirror' && endpoint && endpoint !== settings?.hub.endpoint) {
      update.mutate({ hub: { endpoint: endpoint as HubSettings['endpoint'] } });
    }
    const n = STEPS[index + 1];
    if (n) go(n);
  };
  const skip = () => {
    setWizardFlag('dismissed');
    setView('models');
  };

  const Body = BODIES[step];
  return (
    <div className="page wizard" data-testid="wizard" data-step={step}>
      <header className="wizard-head">
        <div>
          <h1 className="wizard-heading">{t('wizard.heading')}</h1>
          <p className="muted">{t('wizard.subtitle')}</p>
        </div>
        <button type="button" className="btn btn-small" data-testid="wizard-skip" onClick={skip}>
          {t('wizard.skip')}
        </button>
      </header>

      <ol className="stepper" aria-label={t('wizard.progress')}>
        {STEPS.map((s, i) => (
          <li
            key={s}
            className={i < index ? 'done' : i === index ? 'current' : ''}
            data-testid="wizard-step"
            data-step={s}
            aria-current={i === index ? 'step' : undefined}
          >
            <span className="stepper-num">{i < index ? <CheckIcon size={13} /> : i + 1}</span>
            <span className="stepper-label">{t(`wizard.steps.${s}`)}</span>
          </li>
        ))}
        <li className="stepper-last">
          <span className="stepper-num">{STEPS.length + 1}</span>
          <span className="stepper-label">{t('wizard.steps.chat')}</span>
        </li>
      </ol>

      <section className="card wizard-card">
        <Body />
        {update.error && <ErrorMessage error={update.error} compact />}
        <footer className="wizard-foot">
          <button
            type="button"
            className="btn"
            data-testid="wizard-back"
            onClick={() => go(STEPS[index - 1]!)}
            disabled={index === 0}
          >
            {t('wizard.back')}
          </button>
          {step !== 'start' && (
            <button
              type="button"
              className="btn btn-primary"
              data-testid="wizard-next"
              onClick={next}
              disabled={!canNext}
            >
              {step === 'download' && !downloaded ? t('wizard.waitDownload') : t('wizard.next')}
            </button>
          )}
        </footer>
      </section>
    </div>
  );
}
