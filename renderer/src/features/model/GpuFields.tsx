/**
 * The Model page's GPU fields: which GPUs to use (the active runtime's own device list), how to split the model
 * across them, the main GPU, and the per-GPU plan before loading (backend.plan). Shown when the runtime lists a GPU;
 * the choice and the split only with two or more. The core checks the choice again at start (GPU_DEVICE_NOT_FOUND).
 */
import { useId } from 'react';
import type { GpuOptions } from '@shared/backend-options';
import type { LoadOptions } from '@shared/schemas';
import { useBackendText } from '../../lib/useBackendText';
import { useRuntimes } from '../runtimes/queries';
import { checkedDevices, toggleDevice } from './gpu-plan-view';
import { GpuPlanPanel, useGpuPlan } from './GpuPlan';
import { useModelForm } from './store';

const SPLIT_MODES = ['layer', 'row', 'none'] as const;

export function GpuFields({ options, onChange }: { options: LoadOptions; onChange: (g: GpuOptions) => void }) {
  const tb = useBackendText();
  const id = useId();
  const modelPath = useModelForm((s) => s.inspectPath);
  const { data: runtimes } = useRuntimes();
  // The same query as the panel below (same key): one request.
  const { data: plan } = useGpuPlan(modelPath, options);
  const devices = runtimes?.selection.devices ?? [];
  if (devices.length === 0) return null;
  const g = options.gpus;
  const set = (patch: Partial<GpuOptions>) => onChange({ ...g, ...patch });
  const listed = devices.map((d) => d.name);
  const checked = checkedDevices(g.devices, plan, listed);
  const several = devices.length >= 2;

  return (
    <div className="field" data-testid="gpu-fields">
      <label>{tb('gpus.title')}</label>
      {several && (
        <>
          <div className="gpu-devices" role="group" aria-label={tb('gpus.use')}>
            {devices.map((d) => (
              <label key={d.name} title={d.description}>
                <input
                  type="checkbox"
                  data-testid={`gpu-use-${d.name}`}
                  checked={checked.includes(d.name)}
                  onChange={() => {
                    const next = toggleDevice(checked, d.name, listed);
                    // A main GPU past the new list would be refused: keep it inside.
                    set({
                      devices: next,
                      mainGpu: Math.min(g.mainGpu, Math.max(0, next.length - 1)),
                      tensorSplit: null,
                    });
                  }}
                />
                <span className="mono">{d.name}</span> <span className="small muted">{d.description}</span>
              </label>
            ))}
            {g.devices !== null && (
              <button type="button" className="btn btn-small" onClick={() => set({ devices: null, tensorSplit: null })}>
                {tb('gpus.automatic')}
              </button>
            )}
          </div>
          {g.devices === null && <p className="hint">{tb('gpus.automaticHint')}</p>}
          <div className="inline">
            <label htmlFor={`${id}-sm`}>{tb('gpus.splitMode')}</label>
            <select
              id={`${id}-sm`}
              className="select"
              data-testid="gpu-split-mode"
              value={g.splitMode}
              onChange={(e) => set({ splitMode: e.target.value as GpuOptions['splitMode'] })}
            >
              {SPLIT_MODES.map((m) => (
                <option key={m} value={m}>
                  {tb(`gpus.splitModes.${m}`)}
                </option>
              ))}
            </select>
            {g.splitMode !== 'layer' && checked.length > 1 && (
              <>
                <label htmlFor={`${id}-mg`}>{tb('gpus.mainGpu')}</label>
                <select
                  id={`${id}-mg`}
                  className="select"
                  data-testid="gpu-main"
                  value={Math.min(g.mainGpu, checked.length - 1)}
                  onChange={(e) => set({ mainGpu: Number(e.target.value) })}
                >
                  {checked.map((name, i) => (
                    <option key={name} value={i}>
                      {name}
                    </option>
                  ))}
                </select>
              </>
            )}
          </div>
          <p className="hint">
            {tb(`gpus.splitHint.${g.splitMode}`)}
            {g.splitMode !== 'layer' && ` ${tb('gpus.mainGpuHint')}`}
          </p>
        </>
      )}
      <label>{tb('gpus.plan')}</label>
      <GpuPlanPanel modelPath={modelPath} options={options} />
    </div>
  );
}
