import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { keys, newerStatus, useBackendStatus } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ChatIcon, CheckIcon, PlayIcon } from '../../components/icons';
import { ProgressBar } from '../../components/ProgressBar';
import { useUi } from '../../stores/ui';
import { findInstalled, findJob } from '../downloads/DownloadAction';
import { formatContext } from '../models/fit';
import { useDownloads, useLibrary } from '../models/queries';
import { useSetWizardFlag } from './firstRun';
import { optionsFromPlan } from './plan-options';
import { useWizard } from './store';
import { useChoice } from './useChoice';

/** Starts the downloaded model with the planned context and the model's recommended sampling, then opens chat. */
export function StartStep() {
  const { t } = useTranslation();
  const client = useClient();
  const qc = useQueryClient();
  const { choice } = useChoice();
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const { data: status } = useBackendStatus();
  const jobId = useWizard((s) => s.jobId);
  const setView = useUi((s) => s.setView);
  const setWizardFlag = useSetWizardFlag();

  const path = (() => {
    if (!choice) return null;
    const installed = findInstalled(library, choice.quant.files[0]!);
    if (installed) return installed.path;
    const job =
      (jobId ? jobs?.find((j) => j.id === jobId) : undefined) ??
      findJob(jobs, (j) => j.catalogId === choice.model.id && j.quant === choice.quant.id);
    return job?.state === 'completed' ? job.targetPath : null;
  })();

  const start = useMutation({
    mutationFn: async (modelPath: string) => {
      const s = await client.call('backend.status', {});
      // One model at a time: whatever runs now makes room for the one just set up.
      if (s.state !== 'stopped' && s.state !== 'crashed') await client.call('backend.stop', {});
      const sampling = choice?.model.sampling;
      if (sampling)
        await client.call('settings.update', {
          sampling: { temperature: sampling.temperature, top_p: sampling.top_p },
        });
      return client.call('backend.start', { modelPath, options: optionsFromPlan(choice?.plan ?? null) });
    },
    onSuccess: (s) => {
      qc.setQueryData(keys.status, (old: typeof s | undefined) => newerStatus(old, s));
      void qc.invalidateQueries({ queryKey: keys.settings });
    },
  });

  if (!choice) return null;
  const state = status?.state ?? 'stopped';
  const ours = !!path && status?.model?.path === path;
  const ready = ours && state === 'ready';
  const loading = ours && (state === 'starting' || state === 'loading');
  const crashed = ours && state === 'crashed' ? status?.error : null;
  const otherRunning = !ours && (state === 'ready' || state === 'loading' || state === 'starting');

  const chat = () => {
    setWizardFlag('done');
    useWizard.getState().reset();
    setView('chat');
  };

  return (
    <div className="wizard-body" data-testid="wizard-start-step">
      <h2 className="wizard-title">{t('wizard.start.title')}</h2>
      <p className="muted">
        {choice.plan
          ? t('wizard.start.hint', {
              name: choice.model.name,
              ctx: formatContext(choice.plan.contextSize),
              temperature: choice.model.sampling.temperature,
              top_p: choice.model.sampling.top_p,
            })
          : t('wizard.start.hintNoPlan', { name: choice.model.name })}
      </p>
      {!path && <p className="muted">{t('wizard.start.notDownloaded')}</p>}
      {ready ? (
        <div className="wizard-ready" data-testid="wizard-ready">
          <p className="wizard-ok">
            <CheckIcon size={16} />
            {t('wizard.start.ready', { name: status?.model?.name ?? choice.model.name })}
          </p>
          <button type="button" className="btn btn-primary btn-large" data-testid="wizard-chat" onClick={chat}>
            <ChatIcon size={16} />
            {t('wizard.start.chat')}
          </button>
        </div>
      ) : loading ? (
        <div className="wizard-progress-box">
          <div className="progress-head">
            <span>{status?.phase ? t(`phase.${status.phase}`) : t('status.starting')}</span>
            <span className="mono">{status?.progress != null ? `${Math.round(status.progress * 100)}%` : ''}</span>
          </div>
          <ProgressBar value={status?.progress ?? null} testId="wizard-load-progress" label={t('model.loadingLabel')} />
        </div>
      ) : (
        <>
          {otherRunning && (
            <p className="small wizard-warn">{t('wizard.start.replaces', { name: status?.model?.name ?? '' })}</p>
          )}
          <button
            type="button"
            className="btn btn-primary btn-large"
            data-testid="wizard-start"
            disabled={!path || start.isPending}
            onClick={() => path && start.mutate(path)}
          >
            <PlayIcon size={16} />
            {start.isPending ? t('model.starting') : t('wizard.start.start')}
          </button>
        </>
      )}
      {(start.error ?? crashed) && <ErrorMessage error={start.error ?? crashed} testId="wizard-start-error" />}
    </div>
  );
}
