import { useState } from 'react';
import type { RuntimeInfo } from '@shared/runtimes';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { useFormats } from '../monitor/format';
import { useRemoveRuntime, useUseRuntime } from './queries';
import { useRuntimeText } from './useRuntimeText';
import { checkProblem, checkState, runtimeSize } from './view';
import './runtimes.css';

/**
 * One installed runtime: what it is, where from, its size, whether it is active, its last check, Use / Remove.
 * "Use" stays on the active runtime while the choice is automatic: it pins that one.
 */
export function RuntimeRow({ runtime: r, chosen }: { runtime: RuntimeInfo; chosen: boolean }) {
  const text = useRuntimeText();
  const { t, i18n } = text;
  const f = useFormats();
  const use = useUseRuntime();
  const remove = useRemoveRuntime();
  const [confirm, setConfirm] = useState(false);
  const state = checkState(r);
  const size = runtimeSize(r);
  const c = r.lastCheck;
  return (
    <li
      className={r.active ? 'runtime-row active' : 'runtime-row'}
      data-testid="runtime-row"
      data-id={r.id}
      data-variant={r.variant}
      data-source={r.source}
      data-active={r.active}
      data-check={state}
    >
      <div className="runtime-row-head">
        <div className="runtime-row-title">
          <span className="runtime-variant">{text.variant(r.variant)}</span>
          <span className="chip mono" data-testid="runtime-origin">
            {text.origin(r)}
          </span>
          {size > 0 && <span className="muted small">{formatBytes(size, i18n.resolvedLanguage ?? 'en')}</span>}
          {r.active && (
            <span className="badge badge-ok" data-testid="runtime-active">
              <CheckIcon size={12} /> {t('active')}
            </span>
          )}
        </div>
        <div className="runtime-row-actions">
          {confirm ? (
            <>
              <span className="small">{t('confirmRemove', { name: text.name(r) })}</span>
              <button
                type="button"
                className="btn btn-small btn-danger-ghost"
                data-testid="runtime-remove-confirm"
                onClick={() => {
                  setConfirm(false);
                  remove.mutate(r.id);
                }}
              >
                {t('yesRemove')}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
                {t('keep')}
              </button>
            </>
          ) : (
            <>
              {!chosen && (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="runtime-use"
                  disabled={use.isPending}
                  onClick={() => use.mutate(r.id)}
                >
                  {use.isPending ? t('checking') : r.active ? t('pin') : t('use')}
                </button>
              )}
              {r.removable && (
                <button
                  type="button"
                  className="btn btn-small btn-danger-ghost"
                  data-testid="runtime-remove"
                  disabled={remove.isPending}
                  onClick={() => setConfirm(true)}
                >
                  {t('remove')}
                </button>
              )}
            </>
          )}
        </div>
      </div>
      <div className={state === 'problem' ? 'runtime-check text-warn small' : 'runtime-check muted small'}>
        <span data-testid="runtime-check" data-code={c?.problem?.code ?? ''}>
          {!c
            ? t('check.unchecked')
            : state === 'problem'
              ? t('check.problem', { problem: text.problem(checkProblem(c)) })
              : state === 'gpu'
                ? t('check.gpu', { devices: c.devices.map(text.device).join(', ') })
                : t('check.cpuOnly')}
        </span>
        {c && <span> · {t('check.at', { time: f.time(c.checkedAt) })}</span>}
      </div>
      <div className="muted small mono ellipsis" title={r.server}>
        {r.dir}
      </div>
      {use.error && <ErrorMessage error={use.error} compact />}
      {remove.error && <ErrorMessage error={remove.error} compact />}
    </li>
  );
}
