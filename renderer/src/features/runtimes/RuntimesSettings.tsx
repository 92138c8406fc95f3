/**
 * Settings → Runtimes: the installed llama.cpp builds (the active one marked, each with its last device check), the
 * choice (Automatic or one of them), what the release feed offers with Get and progress, the feed's endpoint and
 * updates, and "Add folder…".
 */
import { ErrorMessage } from '../../components/ErrorMessage';
import { RefreshIcon } from '../../components/icons';
import { AvailableRuntimes } from './AvailableRuntimes';
import { AddFolder, FeedSettings } from './FeedSettings';
import { useCheckRuntimes, useRuntimes, useUseRuntime } from './queries';
import { RuntimeRow } from './RuntimeRow';
import { UnusableGpu } from './UnusableGpu';
import { useRuntimeText } from './useRuntimeText';
import './runtimes.css';

export function RuntimesSettings() {
  const text = useRuntimeText();
  const { t } = text;
  const { data: list, error, isPending } = useRuntimes();
  const use = useUseRuntime();
  const check = useCheckRuntimes();
  const sel = list?.selection;
  const activeName = sel?.active ? text.name(sel.active) : null;
  return (
    <section className="card" data-testid="settings-runtimes">
      <h2 className="card-title">{t('title')}</h2>
      <p className="hint card-sub">{t('hint')}</p>
      {error && <ErrorMessage error={error} testId="runtimes-error" compact />}
      {isPending && !error && <p className="muted small">{t('availableLoading')}</p>}
      {list && sel && (
        <>
          <UnusableGpu list={list} testId="settings-gpu-unusable" />
          <div className="runtime-choice" data-testid="runtime-choice" data-setting={sel.setting}>
            <span className="small">
              <strong>{t('choice')}: </strong>
              {sel.setting === 'auto'
                ? activeName
                  ? t('autoNow', { name: activeName })
                  : t('auto')
                : t('userChoice', { name: activeName ?? sel.setting })}
            </span>
            <div className="runtime-row-actions">
              {sel.setting !== 'auto' && (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="runtime-use-auto"
                  disabled={use.isPending}
                  onClick={() => use.mutate('auto')}
                >
                  {t('useAuto')}
                </button>
              )}
              <button
                type="button"
                className="btn btn-small"
                data-testid="runtime-check-again"
                disabled={check.isPending}
                onClick={() => check.mutate()}
              >
                <RefreshIcon size={14} className={check.isPending ? 'spin' : undefined} />
                {check.isPending ? t('checking') : t('checkAgain')}
              </button>
            </div>
          </div>
          {use.error && <ErrorMessage error={use.error} compact />}
          {check.error && <ErrorMessage error={check.error} compact />}

          <h3 className="runtime-subtitle">{t('installed')}</h3>
          {list.installed.length === 0 ? (
            <p className="muted small">{t('noneInstalled')}</p>
          ) : (
            <ul className="runtime-list" data-testid="runtime-installed">
              {list.installed.map((r) => (
                <RuntimeRow key={r.id} runtime={r} chosen={sel.setting === r.id} />
              ))}
            </ul>
          )}
          <AddFolder />
          <AvailableRuntimes jobs={list.jobs} />
        </>
      )}
      {/* The feed's settings live in settings.runtime: editable even while the list cannot be had. */}
      <FeedSettings list={list} />
    </section>
  );
}
