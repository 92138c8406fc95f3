/**
 * Start a model with vLLM: the snapshot folder, the vLLM options, the live plan (debounced vllm.plan) and Start.
 * The run's progress then shows in the usual status (status bar, chat); here too while the run is vLLM's.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { VllmDetection } from '@shared/backends';
import type { BackendStatus } from '@shared/schemas';
import { useClient } from '../../../api/context';
import { keys, newerStatus, useBackendStatus } from '../../../api/queries';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { PathInput } from '../../../components/PathInput';
import { ProgressBar } from '../../../components/ProgressBar';
import { useKindsText } from '../../../lib/useKindsText';
import { useUi } from '../../../stores/ui';
import { useVllmPlan, useVllmStart } from './queries';
import { VllmOptionsFields } from './VllmOptionsFields';
import { VllmPlanView } from './VllmPlanView';
import { chosenInstall, startParams, type VllmForm } from './vllm-view';

export function VllmStartForm({
  form,
  onChange,
  detection,
  snapshots,
}: {
  form: VllmForm;
  onChange: (patch: Partial<VllmForm>) => void;
  detection: VllmDetection | undefined;
  /** Local vLLM snapshots the library knows (empty when it lists none). */
  snapshots: { path: string; name: string }[];
}) {
  const t = useKindsText();
  const install = chosenInstall(detection, form.install);
  const params = startParams(form);
  const plan = useVllmPlan(params);
  const start = useVllmStart();
  const shown = params ? plan.data : undefined;
  // The plan on screen is for other params while the next one is asked (debounce, placeholder data).
  const stale = shown !== undefined && (plan.isPlaceholderData || plan.isFetching);
  const canStart =
    params !== null && install?.usable === true && shown !== undefined && !stale && shown.problems.length === 0;

  return (
    <div className="vllm-block vllm-start">
      <h3 className="vllm-h3">{t('vllm.form.title')}</h3>
      <div className="field">
        <label htmlFor="vllm-model-path">{t('vllm.form.model')}</label>
        <div className="path-row">
          <PathInput
            id="vllm-model-path"
            testId="vllm-model-path"
            value={form.modelPath}
            onValueChange={(modelPath) => onChange({ modelPath })}
            placeholder="/home/me/models/DeepSeek-R1-Distill-Qwen-7B-AWQ"
            busy={params !== null && plan.isFetching}
            busyLabel={t('vllm.plan.planning')}
          />
          {snapshots.length > 0 && (
            <select
              className="select vllm-snapshots"
              aria-label={t('vllm.form.snapshots')}
              data-testid="vllm-snapshots"
              value={snapshots.some((s) => s.path === form.modelPath) ? form.modelPath : ''}
              onChange={(e) => e.target.value && onChange({ modelPath: e.target.value })}
            >
              <option value="">{t('vllm.form.noSnapshots')}</option>
              {snapshots.map((s) => (
                <option key={s.path} value={s.path}>
                  {s.name}
                </option>
              ))}
            </select>
          )}
        </div>
        <span className="hint">{t('vllm.form.modelHint')}</span>
      </div>
      <VllmOptionsFields
        form={form}
        onChange={onChange}
        detection={detection}
        install={install}
        checkpointQuant={shown?.model.quantization}
      />
      {params === null && <p className="muted">{t('vllm.plan.empty')}</p>}
      {params !== null && plan.error && !shown && <ErrorMessage error={plan.error} compact testId="vllm-problem" />}
      {params !== null && !shown && !plan.error && plan.isFetching && (
        <p className="muted">{t('vllm.plan.planning')}</p>
      )}
      {shown && <VllmPlanView plan={shown} stale={stale} />}
      {params !== null && plan.error && shown && <ErrorMessage error={plan.error} compact testId="vllm-problem" />}
      <div className="vllm-actions">
        {install?.usable !== true && detection && <span className="muted">{t('vllm.form.needInstall')}</span>}
        <button
          type="button"
          className="btn btn-primary"
          data-testid="vllm-start"
          disabled={!canStart || start.isPending}
          onClick={() => params && start.mutate(params)}
        >
          {start.isPending ? t('vllm.form.starting') : t('vllm.form.start')}
        </button>
      </div>
      {start.error && <ErrorMessage error={start.error} testId="vllm-problem" />}
      <VllmRunStatus />
    </div>
  );
}

/** The run's state while it is vLLM's: starting / loading with progress, ready, or its error; Stop while it runs. */
function VllmRunStatus() {
  const t = useKindsText();
  const client = useClient();
  const qc = useQueryClient();
  const { data: s } = useBackendStatus();
  const setView = useUi((u) => u.setView);
  const stop = useMutation({
    mutationFn: () => client.call('backend.stop', {}),
    onSuccess: (st) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, st)),
  });
  if (!s || s.kind !== 'vllm') return null;
  const running = s.state === 'starting' || s.state === 'loading' || s.state === 'ready';
  const model = s.target?.kind === 'vllm' ? s.target.servedName : (s.model?.name ?? '');
  const busy = s.state === 'starting' || s.state === 'loading';
  return (
    <div className="vllm-run" data-testid="vllm-run" data-state={s.state} role="status">
      {busy && (
        <>
          <span>{t(s.state === 'starting' ? 'vllm.form.status.starting' : 'vllm.form.status.loading', { model })}</span>
          <ProgressBar value={s.progress} label={model} />
        </>
      )}
      {s.state === 'ready' && (
        <div className="vllm-ready">
          <span>{t('vllm.form.status.ready', { model })}</span>
          <button type="button" className="btn btn-small" data-testid="vllm-open-chat" onClick={() => setView('chat')}>
            {t('vllm.form.openChat')}
          </button>
        </div>
      )}
      {running && (
        <button
          type="button"
          className="btn btn-small"
          data-testid="vllm-stop"
          disabled={stop.isPending}
          onClick={() => stop.mutate()}
        >
          {stop.isPending ? t('vllm.form.stopping') : t('vllm.form.stop')}
        </button>
      )}
      {stop.error && <ErrorMessage error={stop.error} compact />}
      {s.error && (s.state === 'crashed' || s.state === 'stopped') && (
        <ErrorMessage error={s.error} testId="vllm-problem" />
      )}
    </div>
  );
}
