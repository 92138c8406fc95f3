/**
 * "Your GPU cannot be used yet": the computer has a GPU the active runtime cannot use (selection.gpuUnusable). Said
 * first, with the fix: use an installed runtime that can, or get the suggested one (progress inline), after which
 * the runtime is switched and the plans are made again (queries.ts refreshes them on the change).
 */
import { useEffect, useRef } from 'react';
import type { RuntimeList } from '@shared/runtimes';
import { useSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { AlertIcon, DownloadIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { JobProgress } from './JobProgress';
import { useAvailableRuntimes, useGetRuntime, useUseRuntime } from './queries';
import { useRuntimeText } from './useRuntimeText';
import { installedFor, jobForVariant, offerFor } from './view';
import './runtimes.css';

export function UnusableGpu({ list, testId = 'gpu-unusable' }: { list: RuntimeList; testId?: string }) {
  const text = useRuntimeText();
  const { t, i18n } = text;
  const { data: settings } = useSettings();
  const sel = list.selection;
  const unusable = sel.gpuUnusable;
  const suggest = unusable?.suggest ?? null;
  const installed = installedFor(
    list.installed.filter((r) => !r.active),
    suggest,
  );
  const job = suggest ? jobForVariant(list.jobs, suggest) : null;
  const available = useAvailableRuntimes(!!suggest && !installed);
  const offer = offerFor(available.data?.runtimes, suggest);
  const get = useGetRuntime();
  const use = useUseRuntime();

  // Once the fetched runtime is installed and checked, switch to it: in automatic mode by choosing again (it now
  // finds the GPU runtime), otherwise by naming it. Once per job.
  const applied = useRef(new Set<string>());
  const auto = (settings?.runtime.active ?? 'auto') === 'auto';
  const { mutate: switchTo } = use;
  useEffect(() => {
    if (!job || job.phase !== 'done' || !job.runtimeId || applied.current.has(job.id)) return;
    applied.current.add(job.id);
    switchTo(auto ? 'auto' : job.runtimeId);
  }, [job, auto, switchTo]);

  if (!unusable) return null;
  const gpus = unusable.gpus.join(', ');
  const running = job && job.phase !== 'done' && job.phase !== 'failed' && job.phase !== 'cancelled';
  return (
    <div className="runtime-unusable" role="alert" data-testid={testId} data-suggest={suggest ?? ''}>
      <AlertIcon size={18} className="runtime-unusable-icon" />
      <div className="runtime-unusable-body">
        <p className="runtime-unusable-title">{t('unusable.title')}</p>
        <p className="small">
          {sel.active
            ? t('unusable.text', { gpus, runtime: text.name(sel.active) })
            : t('unusable.textNoRuntime', { gpus })}
        </p>
        {suggest ? (
          <>
            <p className="small">
              {t('unusable.fix', { variant: text.variant(suggest) })} {t('unusable.afterFix')}
            </p>
            <div className="runtime-unusable-actions">
              {installed ? (
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  data-testid="gpu-unusable-use"
                  disabled={use.isPending}
                  onClick={() => use.mutate(installed.id)}
                >
                  {t('unusable.useInstalled', { variant: text.variant(suggest) })}
                </button>
              ) : (
                !running && (
                  <button
                    type="button"
                    className="btn btn-small btn-primary"
                    data-testid="gpu-unusable-get"
                    disabled={get.isPending}
                    onClick={() => get.mutate({ variant: suggest, ...(offer ? { tag: offer.tag } : {}) })}
                  >
                    <DownloadIcon size={14} />
                    {t('getVariant', { variant: text.variant(suggest) })}
                    {offer && (
                      <span className="muted"> · {formatBytes(offer.totalBytes, i18n.resolvedLanguage ?? 'en')}</span>
                    )}
                  </button>
                )
              )}
            </div>
            {job && !installed && <JobProgress job={job} />}
          </>
        ) : (
          <p className="small">{t('unusable.noFix')}</p>
        )}
        {get.error && <ErrorMessage error={get.error} compact />}
        {use.error && <ErrorMessage error={use.error} compact />}
      </div>
    </div>
  );
}
