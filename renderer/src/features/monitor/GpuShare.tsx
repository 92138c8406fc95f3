/**
 * The Monitor's "model's share per GPU": for a running model split across GPUs, the layers and memory each holds.
 * From the plan of the running model's own options (backend.plan): with a split in those options (ours or the
 * user's) llama.cpp places layers deterministically, so the plan is what was loaded. One GPU: nothing shown (the
 * VRAM chart says it).
 */
import { useTranslation } from 'react-i18next';
import { useBackendStatus } from '../../api/queries';
import { formatBytes } from '../../lib/format';
import { useBackendText } from '../../lib/useBackendText';
import { gpuPlanView } from '../model/gpu-plan-view';
import { GpuShareBar, useGpuPlan } from '../model/GpuPlan';
import '../model/gpus.css';

export function GpuShare() {
  const tb = useBackendText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const { data: status } = useBackendStatus();
  const running = status?.state === 'ready' && status.model && status.options?.gpus.tensorSplit;
  const { data: plan } = useGpuPlan(status?.model?.path ?? '', status?.options ?? null, Boolean(running));
  if (!running || !plan) return null;
  const view = gpuPlanView(plan);
  if (!view.split) return null;
  return (
    <section className="card" data-testid="monitor-gpu-share">
      <h2 className="card-title">{tb('gpus.monitorTitle')}</h2>
      <table className="gpu-plan">
        <tbody>
          {view.rows
            .filter((r) => r.used)
            .map((r) => (
              <tr key={r.name} data-device={r.name} data-layers={r.layers}>
                <td>
                  <span className="mono">{r.name}</span> <span className="small muted">{r.description}</span>
                </td>
                <td className="num">
                  {tb('gpus.monitorRow', { layers: r.layers, memory: formatBytes(r.bytes, lng) })}
                </td>
                <td>
                  <GpuShareBar name={r.name} share={r.share} />
                </td>
              </tr>
            ))}
          {view.cpuLayers > 0 && (
            <tr data-device="CPU">
              <td>{tb('gpus.cpu')}</td>
              <td className="num">{tb('gpus.cpuLayers', { n: view.cpuLayers, total: view.blockCount })}</td>
              <td />
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
