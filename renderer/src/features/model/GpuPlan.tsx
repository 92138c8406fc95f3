/**
 * The per-GPU plan (backend.plan): which GPU holds how many layers, how much memory and what share of the model,
 * and what stays on the CPU. Shown on the Model page before loading and, for a model split across GPUs, on the
 * Monitor page while it runs.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { LoadOptions } from '@shared/schemas';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { asErrorInfo } from '../../lib/errors';
import { formatBytes } from '../../lib/format';
import { useBackendText } from '../../lib/useBackendText';
import { gpuPlanView, type GpuPlanView } from './gpu-plan-view';
import './gpus.css';

export const gpuPlanKey = (modelPath: string, options: LoadOptions | null) =>
  ['backend.plan', modelPath, options] as const;

/** The plan for a model path with these options; idle without a path. */
export function useGpuPlan(modelPath: string, options: LoadOptions | null, enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: gpuPlanKey(modelPath, options),
    queryFn: () => client.call('backend.plan', { modelPath, ...(options ? { options } : {}) }),
    enabled: enabled && modelPath !== '',
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
}

/** A GPU's share of the model (0..1) as a bar and a percentage; the plan table's and the Monitor's share column. */
export function GpuShareBar({ name, share }: { name: string; share: number }) {
  const pct = Math.round(share * 100);
  return (
    <div className="gpu-plan-share">
      <ProgressBar value={share} label={`${name} ${pct} %`} />
      <span className="small">{pct} %</span>
    </div>
  );
}

export function GpuPlanTable({ view, testId }: { view: GpuPlanView; testId?: string }) {
  const tb = useBackendText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return (
    <table className="gpu-plan" data-testid={testId}>
      <thead>
        <tr>
          <th>{tb('gpus.col.device')}</th>
          <th className="num">{tb('gpus.col.layers')}</th>
          <th className="num">{tb('gpus.col.memory')}</th>
          <th>{tb('gpus.col.share')}</th>
        </tr>
      </thead>
      <tbody>
        {view.rows.map((r) => (
          <tr key={r.name} className={r.used ? '' : 'muted'} data-device={r.name} data-layers={r.layers}>
            <td className="mono" title={r.description}>
              {r.name}
            </td>
            <td className="num">{r.used ? r.layers : tb('gpus.notUsed')}</td>
            <td
              className="num"
              title={tb('gpus.free', { free: formatBytes(r.freeBytes, lng), total: formatBytes(r.totalBytes, lng) })}
            >
              {r.used ? formatBytes(r.bytes, lng) : '—'}
            </td>
            <td>
              <GpuShareBar name={r.name} share={r.share} />
            </td>
          </tr>
        ))}
        <tr data-device="CPU" data-layers={view.cpuLayers}>
          <td>{tb('gpus.cpu')}</td>
          <td className="num">{view.cpuLayers}</td>
          <td />
          <td />
        </tr>
      </tbody>
    </table>
  );
}

/** The plan for the Model page's current path and options, with what it means in a sentence. */
export function GpuPlanPanel({ modelPath, options }: { modelPath: string; options: LoadOptions }) {
  const tb = useBackendText();
  const plan = useGpuPlan(modelPath, options);
  // A path that is not a model is already said under the path field.
  if (!modelPath || (plan.error && asErrorInfo(plan.error).code.startsWith('MODEL_')))
    return <p className="hint">{tb('gpus.noModel')}</p>;
  if (plan.error) return <ErrorMessage error={plan.error} compact testId="gpu-plan-error" />;
  if (!plan.data) return <p className="hint">{tb('gpus.planning')}</p>;
  const view = gpuPlanView(plan.data);
  return (
    <div className={plan.isPlaceholderData ? 'gpu-plan-box stale' : 'gpu-plan-box'} data-testid="gpu-plan">
      <GpuPlanTable view={view} />
      <p className="hint">
        {view.cpuLayers > 0
          ? tb('gpus.cpuLayers', { n: view.cpuLayers, total: view.blockCount })
          : tb('gpus.allOnGpu', { total: view.blockCount })}
        {view.expertsInRam > 0 && ` ${tb('gpus.expertsInRam', { n: view.expertsInRam })}`}
      </p>
      {!view.split && view.rows.some((r) => r.used) && <p className="hint">{tb('gpus.fitByLlama')}</p>}
      {view.flags && <p className="hint mono small">{tb('gpus.flags', { flags: view.flags })}</p>}
    </div>
  );
}
