import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultLoadOptions, LoadOptions, type BackendStatus } from '@shared/schemas';
import { useClient, useConnState } from '../../api/context';
import { keys, newerStatus, useAppInfo, useBackendStatus, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ChatIcon, FileIcon, PlayIcon, StopIcon } from '../../components/icons';
import { BrowseButton, PathInput, useModelPathPlaceholder } from '../../components/PathInput';
import { ProgressBar } from '../../components/ProgressBar';
import { dirName, fileName } from '../../lib/format';
import { useBackendText } from '../../lib/useBackendText';
import { useUi } from '../../stores/ui';
import { BenchmarkPanel } from '../tuning/BenchmarkPanel';
import { useProfile } from '../tuning/queries';
import { LoadOptionsForm } from './LoadOptionsForm';
import { ModelFacts } from './ModelInfo';
import { RecoveryPanel } from './RecoveryPanel';
import { useParallelLabel } from './ParallelField';
import { useModelForm } from './store';

const BUSY: ReadonlySet<BackendStatus['state']> = new Set(['starting', 'loading', 'stopping']);

export function ModelPage() {
  const { t } = useTranslation();
  const tb = useBackendText();
  const parallelLabel = useParallelLabel();
  const client = useClient();
  const qc = useQueryClient();
  const { data: info } = useAppInfo();
  const placeholder = useModelPathPlaceholder();
  const { data: settings } = useSettings();
  const { data: status } = useBackendStatus();
  const updateSettings = useUpdateSettings();
  const setView = useUi((s) => s.setView);
  const online = useConnState().status === 'open';
  const { path, inspectPath, setPath, commitPath, setOptions } = useModelForm();
  const edited = useModelForm((s) => s.options);
  // Until the user edits them, the options shown are what a start would run: the global defaults with this model's
  // saved ones (auto-tune, kept after a recovery) over them. A start then sends none and the core applies the same.
  const profile = useProfile(inspectPath).data?.profile ?? null;
  const base = settings?.loadOptions ?? defaultLoadOptions();
  const options = edited ?? (profile ? LoadOptions.parse({ ...base, ...profile.options }) : base);

  const inspect = useQuery({
    queryKey: keys.inspect(inspectPath),
    queryFn: () => client.call('models.inspect', { path: inspectPath }),
    enabled: inspectPath !== '',
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 10_000,
  });

  const start = useMutation({
    mutationFn: async (v: { modelPath: string; options?: LoadOptions }) => {
      // Edited options become the defaults next time; a failure to save them must not block the start.
      if (v.options) updateSettings.mutate({ loadOptions: v.options });
      return client.call('backend.start', v);
    },
    onSuccess: (s) => {
      // Events for this run may have arrived before the call's answer; keep the newest.
      qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s));
      // The core adds the model to settings.recentModels on start.
      void qc.invalidateQueries({ queryKey: keys.settings });
    },
  });
  const stop = useMutation({
    mutationFn: () => client.call('backend.stop', {}),
    onSuccess: (s) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s)),
  });

  const pick = useMutation({
    mutationFn: () => client.call('shell.pickModelFile', {}),
    onSuccess: (r) => {
      if (r.path) commitPath(r.path);
    },
  });

  // An empty field starts from the running model or the last one used, so Start is one click away.
  // (A vLLM folder or a server's model is not a GGUF to start here: those start from the Backends page.)
  const ownModel = status?.kind === 'llama-cpp' || status?.kind === undefined ? status?.model?.path : undefined;
  const suggested = ownModel ?? settings?.recentModels[0] ?? '';
  useEffect(() => {
    if (suggested && useModelForm.getState().path === '') commitPath(suggested);
  }, [suggested, commitPath]);

  const state = status?.state ?? 'stopped';
  const busy = BUSY.has(state) || start.isPending;
  const running = state === 'ready' || BUSY.has(state);
  const modelPath = path.trim();

  const gaveUp = state === 'crashed' && status?.recovery?.phase === 'gave-up';
  const error =
    start.error ??
    stop.error ??
    pick.error ??
    // After the supervision gave up, the recovery panel says it (with the reason) above.
    (status?.error && (state === 'crashed' || state === 'stopped') && !gaveUp ? status.error : null) ??
    (!running && inspect.error ? inspect.error : null);

  const onStart = () => {
    if (!modelPath) return;
    stop.reset();
    start.mutate(edited ? { modelPath, options: edited } : { modelPath });
  };

  // The previous result stays (dimmed) while a new path is read, so the page does not jump on blur.
  const preview = !running && !inspect.isError && inspect.data ? inspect.data : null;
  const recent = settings?.recentModels ?? [];

  return (
    <div className="page page-narrow">
      <RecoveryPanel status={status} />
      {state === 'ready' && status?.model && (
        <section className="card card-ready" data-testid="model-info">
          <div className="card-head">
            <div>
              <div className="eyebrow">{t('model.info.title')}</div>
              <h2 className="model-name">{status.model.name}</h2>
              <div className="muted mono small ellipsis" title={status.model.path}>
                {status.model.path}
              </div>
            </div>
            <button type="button" className="btn btn-primary" onClick={() => setView('chat')}>
              <ChatIcon size={16} />
              {t('model.goChat')}
            </button>
          </div>
          <ModelFacts
            model={status.model}
            context={status.options?.contextSize || null}
            {...(status.target?.kind === 'external' ? { server: status.target.serverName } : {})}
            extra={
              status.options && status.kind !== 'external' ? [[tb('clients.label'), parallelLabel(status.options)]] : []
            }
          />
        </section>
      )}

      {(state === 'starting' || state === 'loading') && (
        <section className="card">
          <div className="progress-head">
            <span>{status?.phase ? t(`phase.${status.phase}`) : t('status.starting')}</span>
            <span className="mono">{status?.progress != null ? `${Math.round(status.progress * 100)}%` : ''}</span>
          </div>
          <ProgressBar value={status?.progress ?? null} testId="load-progress" label={t('model.loadingLabel')} />
          {status?.model && <div className="muted small progress-model">{status.model.name}</div>}
        </section>
      )}

      {/* Start/Stop sit in the same row as the path: what changes on blur (inspect result, errors) appears
          below them, so a click that blurs the field never lands on a button that just moved. */}
      <section className="card">
        <h2 className="card-title">{t('model.file')}</h2>
        <div className="path-row">
          <PathInput
            testId="model-path-input"
            value={path}
            placeholder={placeholder}
            aria-label={t('model.pathLabel')}
            onValueChange={setPath}
            onBlur={(e) => commitPath(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.nativeEvent.isComposing) commitPath(e.currentTarget.value);
            }}
            busy={inspect.isFetching}
            busyLabel={t('model.inspecting')}
          />
          <BrowseButton testId="model-browse" onClick={() => pick.mutate()} disabled={pick.isPending} />
          <button
            type="button"
            className="btn btn-primary"
            data-testid="model-start"
            onClick={onStart}
            disabled={!online || !modelPath || busy || state === 'ready'}
          >
            <PlayIcon size={15} />
            {busy && state !== 'stopping' ? t('model.starting') : t('model.start')}
          </button>
          <button
            type="button"
            className="btn btn-danger-ghost"
            data-testid="model-stop"
            onClick={() => stop.mutate()}
            disabled={!online || !running || state === 'stopping' || stop.isPending}
          >
            <StopIcon size={15} />
            {state === 'stopping' ? t('model.stopping') : t('model.stop')}
          </button>
        </div>
        {info?.shell === 'browser' && <p className="hint">{t('model.pathHintBrowser')}</p>}
        {error && (
          <div className="file-error">
            <ErrorMessage error={error} testId="model-error" />
          </div>
        )}
        {preview && !error && (
          <div className={preview.path === inspectPath ? 'preview' : 'preview stale'} data-testid="model-preview">
            <div className="preview-name">
              <FileIcon size={16} />
              <span>{preview.name}</span>
            </div>
            <ModelFacts model={preview} />
          </div>
        )}
        {recent.length > 0 && (
          <div className="recent">
            <div className="eyebrow">{t('model.recent')}</div>
            <ul className="recent-list">
              {recent.map((p) => (
                <li key={p}>
                  <button
                    type="button"
                    className={p === modelPath ? 'recent-item active' : 'recent-item'}
                    onClick={() => commitPath(p)}
                    title={p}
                  >
                    <span className="recent-name">{fileName(p)}</span>
                    <span className="recent-dir mono">{dirName(p)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section className="card">
        <h2 className="card-title">{t('model.options')}</h2>
        {profile && !edited && (
          <p className="hint" data-testid="options-from-profile">
            {tb('tune.formUsesProfile')}
          </p>
        )}
        <LoadOptionsForm
          value={options}
          onChange={setOptions}
          modelContext={preview?.contextLength ?? null}
          disabled={running}
        />
      </section>
      <BenchmarkPanel modelPath={inspectPath} />
    </div>
  );
}
