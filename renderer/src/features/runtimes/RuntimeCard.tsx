/**
 * The Hardware page's Runtime card: which llama.cpp build models run on, why it was chosen, which ones were tried
 * first and why they failed ("CUDA 12 runtime: cudart64_12.dll missing — using Vulkan"), the devices it lists, and a
 * GPU it cannot use, with the fix.
 */
import type { RuntimeList } from '@shared/runtimes';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RefreshIcon, SettingsIcon } from '../../components/icons';
import { useUi } from '../../stores/ui';
import { useCheckRuntimes, useRuntimes } from './queries';
import { UnusableGpu } from './UnusableGpu';
import { useRuntimeText } from './useRuntimeText';
import { activeReason, checkProblem } from './view';
import './runtimes.css';

export function RuntimeCard() {
  const { t } = useRuntimeText();
  const { data: list, error } = useRuntimes();
  const check = useCheckRuntimes();
  const setView = useUi((s) => s.setView);
  return (
    <section className="card" data-testid="hw-runtime">
      <div className="runtime-card-head">
        <h2 className="card-title">{t('card.title')}</h2>
        <div className="runtime-card-actions">
          <button
            type="button"
            className="btn btn-small"
            data-testid="hw-runtime-check"
            disabled={check.isPending || !list}
            onClick={() => check.mutate()}
          >
            <RefreshIcon size={14} className={check.isPending ? 'spin' : undefined} />
            {check.isPending ? t('checking') : t('checkAgain')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => setView('settings')}>
            <SettingsIcon size={14} />
            {t('card.settings')}
          </button>
        </div>
      </div>
      <p className="hint card-sub">{t('card.hint')}</p>
      {error && <ErrorMessage error={error} compact />}
      {check.error && <ErrorMessage error={check.error} compact />}
      {list && <Selection list={list} />}
    </section>
  );
}

function Selection({ list }: { list: RuntimeList }) {
  const text = useRuntimeText();
  const { t } = text;
  const sel = list.selection;
  const reason = activeReason(sel);
  const nameOf = (id: string) => list.installed.find((r) => r.id === id);
  const activeName = sel.active ? text.name(sel.active) : null;
  return (
    <>
      <UnusableGpu list={list} />
      <dl className="kv">
        <dt>{t('card.active')}</dt>
        <dd data-testid="hw-runtime-active" data-id={sel.active?.id ?? ''} data-variant={sel.active?.variant ?? ''}>
          {activeName ?? <span className="text-warn">{t('card.none')}</span>}
        </dd>
        {reason && (
          <>
            <dt>{t('card.why')}</dt>
            <dd data-testid="hw-runtime-reason" data-code={reason.code}>
              {text.reason(reason)}
            </dd>
          </>
        )}
        {sel.fallbacks.length > 0 && (
          <>
            <dt>{t('card.fallbacks')}</dt>
            <dd>
              <ul className="runtime-fallbacks">
                {sel.fallbacks.map((c, i) => {
                  // By variant, as people say it ("CUDA 12 runtime: cudart64_12.dll missing — using Vulkan"); the
                  // full name of the runtime checked is the tooltip.
                  const r = nameOf(c.runtimeId);
                  const runtime = text.variant(c.variant);
                  const problem = checkProblem(c);
                  return (
                    <li
                      key={`${c.runtimeId}-${i}`}
                      data-testid="hw-runtime-fallback"
                      data-code={problem.code}
                      title={r ? text.name(r) : c.runtimeId}
                    >
                      {sel.active
                        ? t('card.fallback', {
                            runtime,
                            problem: text.problem(problem),
                            active: text.variant(sel.active.variant),
                          })
                        : t('card.fallbackNone', { runtime, problem: text.problem(problem) })}
                    </li>
                  );
                })}
              </ul>
            </dd>
          </>
        )}
        <dt>{t('card.devices')}</dt>
        <dd data-testid="hw-runtime-devices" data-count={sel.devices.length}>
          {sel.devices.length === 0 ? (
            <span className="muted">{t('card.noDevices')}</span>
          ) : (
            <ul className="runtime-devices">
              {sel.devices.map((d) => (
                <li key={d.name} className="mono" data-testid="hw-runtime-device">
                  {text.device(d)}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </>
  );
}
