/**
 * Live charts, the power panel and the event log. Samples flow only while this page is mounted and the window
 * is visible. The charts read the sample buffer; the rest of the page does not, so a tick renders the charts
 * and nothing else, and typing in the power panel renders no chart.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TelemetrySample } from '@shared/telemetry';
import { PauseIcon, PlayIcon } from '../../components/icons';
import { EventLog } from '../alerts/EventLog';
import { PowerPanel } from '../power/PowerPanel';
import { useChartText } from './chart-props';
import { GpuShare } from './GpuShare';
import { ClocksChart, PowerChart, TemperatureChart, UtilChart, VramChart } from './GpuCharts';
import {
  telemetryKeys,
  useLatestSample,
  usePageVisible,
  useSamples,
  useTelemetryFeed,
  useTelemetryStatus,
} from './queries';
import { KvChart } from './KvChart';
import { windowOf } from './samples';
import { reportsKv } from './series';
import { useMonitor, WINDOWS } from './store';
import { CpuRamChart, TpsChart } from './SystemCharts';

/** "0\tRTX 4090\n1\tRTX 3090" → [{index, name}]; a string keeps the selector's result stable between ticks. */
const gpuList = (s: TelemetrySample | undefined) => (s ? s.gpus.map((g) => `${g.index}\t${g.name}`).join('\n') : null);
const parseGpuList = (list: string | null) =>
  list
    ? list.split('\n').map((line) => {
        const [i, name] = line.split('\t');
        return { index: Number(i), name };
      })
    : [];

function useGpus() {
  const list = useLatestSample(gpuList);
  return useMemo(() => parseGpuList(list), [list]);
}

export function MonitorPage() {
  const visible = usePageVisible();
  useTelemetryFeed(visible);
  return (
    <div className="page monitor">
      <Toolbar />
      <NoGpuNotice />
      <GpuShare />
      <ChartGrid />
      <div className="monitor-lower">
        <PowerPanel />
        <EventLog />
      </div>
    </div>
  );
}

function Toolbar() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { windowSeconds, setWindow, gpu, setGpu, frozen, pause, resume } = useMonitor();
  const gpus = useGpus();
  const hasSample = useLatestSample((s) => s !== undefined);
  const { data: status } = useTelemetryStatus();
  const shown = gpus.find((g) => g.index === gpu) ?? gpus[0];
  return (
    <div className="monitor-toolbar">
      <div className="monitor-toolbar-left">
        {gpus.length > 1 && (
          <div className="segmented" role="radiogroup" aria-label={t('monitor.gpu')} data-testid="monitor-gpu">
            {gpus.map((g) => (
              <button
                key={g.index}
                type="button"
                role="radio"
                aria-checked={shown?.index === g.index}
                className={shown?.index === g.index ? 'seg active' : 'seg'}
                data-value={g.index}
                title={g.name}
                onClick={() => setGpu(g.index)}
              >
                {t('monitor.gpuOption', { index: g.index })}
              </button>
            ))}
          </div>
        )}
        {shown && <span className="monitor-gpu-name">{shown.name}</span>}
        <span className="muted small" role="status">
          {frozen
            ? t('monitor.paused')
            : !hasSample
              ? t('monitor.waiting')
              : status && status.gpuSource !== 'none'
                ? t('monitor.sampling', { seconds: status.intervalMs / 1000, source: status.gpuSource })
                : null}
        </span>
      </div>
      <div className="monitor-toolbar-right">
        <div
          className="segmented"
          role="radiogroup"
          aria-label={t('monitor.window')}
          data-testid="monitor-window"
          data-value={windowSeconds}
        >
          {WINDOWS.map((w) => (
            <button
              key={w}
              type="button"
              role="radio"
              aria-checked={w === windowSeconds}
              className={w === windowSeconds ? 'seg active' : 'seg'}
              data-value={w}
              onClick={() => setWindow(w)}
            >
              {t(`monitor.windows.${w}`)}
            </button>
          ))}
        </div>
        <button
          type="button"
          className={frozen ? 'btn btn-small active' : 'btn btn-small'}
          data-testid="monitor-pause"
          aria-pressed={frozen !== null}
          onClick={() => (frozen ? resume() : pause(qc.getQueryData<TelemetrySample[]>(telemetryKeys.samples) ?? []))}
        >
          {frozen ? <PlayIcon size={13} /> : <PauseIcon size={13} />}
          {frozen ? t('monitor.resume') : t('monitor.pause')}
        </button>
      </div>
    </div>
  );
}

/** Known reasons the core gives for having no GPU charts; anything else is shown as sent. */
const NO_GPU_REASONS = new Set([
  'no-gpu',
  'nvidia-smi-missing',
  'nvidia-smi-failed',
  'amd-unsupported',
  'unsupported-platform',
  'not-implemented',
]);

function NoGpuNotice() {
  const { t } = useTranslation();
  const { data: status } = useTelemetryStatus();
  const noGpusInSample = useLatestSample((s) => s !== undefined && s.gpus.length === 0);
  if (!status || (status.gpuSource !== 'none' && !status.noGpuReason && !noGpusInSample)) return null;
  const reason = status.noGpuReason ?? 'no-gpu';
  return (
    <div className="inline-note monitor-nogpu" data-testid="monitor-nogpu" data-reason={reason} role="note">
      <strong>{t('monitor.noGpuTitle')}</strong>
      <span>
        {NO_GPU_REASONS.has(reason) ? t(`monitor.noGpu.${reason as 'no-gpu'}`) : t('monitor.noGpu.other', { reason })}
      </span>
    </div>
  );
}

function ChartGrid() {
  const live = useSamples();
  const { windowSeconds, gpu: chosen, frozen } = useMonitor();
  const { data: status } = useTelemetryStatus();
  const samples = frozen ?? live;
  const win = useMemo(() => windowOf(samples, windowSeconds), [samples, windowSeconds]);
  const newest = samples[samples.length - 1];
  const gpuIndexes = newest?.gpus.map((g) => g.index) ?? [];
  const gpu = chosen !== null && gpuIndexes.includes(chosen) ? chosen : (gpuIndexes[0] ?? null);
  // Before the first sample, GPU charts show (empty) unless the core already said there is no GPU.
  const showGpu = gpu !== null || (!newest && !!status && status.gpuSource !== 'none');
  const text = useChartText(windowSeconds);
  const common = { win, windowSeconds, intervalMs: status?.intervalMs ?? 1000, text };
  const g = gpu ?? 0;
  return (
    <div className={showGpu ? 'chart-grid' : 'chart-grid cpu-only'}>
      {showGpu && (
        <>
          {/* The model's VRAM is one figure for the whole process: drawn on the chart only when there is one GPU. */}
          <VramChart {...common} gpu={g} withModel={gpuIndexes.length <= 1} />
          <TemperatureChart {...common} gpu={g} thresholdC={status?.thermalThresholdC ?? null} />
          <PowerChart {...common} gpu={g} />
          <UtilChart {...common} gpu={g} />
          <ClocksChart {...common} gpu={g} />
        </>
      )}
      <CpuRamChart {...common} />
      <TpsChart {...common} />
      {/* vLLM reports its KV cache and waiting requests; other backends do not, and the chart stays away. */}
      {reportsKv(win.samples) && <KvChart {...common} />}
    </div>
  );
}
