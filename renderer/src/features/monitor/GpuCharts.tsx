/**
 * The five charts of one GPU: VRAM, temperature, power, utilisation and clocks (see chart-props for how they stay
 * cheap on a tick).
 */
import { memo, useCallback, useMemo } from 'react';
import { DASH, NO_REF_LINES, NO_VALUE, useChartFrame, useStableAxis, type GpuCommon } from './chart-props';
import type { RefLineDef } from './ChartFrame';
import {
  clockSeries,
  lastOf,
  PERCENT_AXIS,
  powerSeries,
  temperatureAxis,
  temperatureSeries,
  utilSeries,
  vramSeries,
  zeroTo,
} from './series';
import { TimeChart, type SeriesDef } from './TimeChart';

export const VramChart = memo(function VramChart({
  win,
  windowSeconds,
  intervalMs,
  text,
  gpu,
  withModel,
}: GpuCommon & { withModel: boolean }) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => vramSeries(win.samples, gpu, withModel), [win.samples, gpu, withModel]);
  const axis = useStableAxis(zeroTo(data, ['total', 'used']));
  const series = useMemo<SeriesDef[]>(() => {
    const gib = (v: number) => `${f.num(v, 1)} GiB`;
    return [
      { key: 'used', label: t('monitor.series.used'), color: 'var(--chart-vram)', kind: 'area', format: gib },
      ...(withModel
        ? [
            {
              key: 'model',
              label: t('monitor.series.model'),
              color: 'var(--chart-model)',
              kind: 'area' as const,
              format: gib,
            },
          ]
        : []),
      {
        key: 'total',
        label: t('monitor.series.total'),
        color: 'var(--chart-limit)',
        kind: 'step',
        dashed: true,
        format: gib,
      },
    ];
  }, [t, f, withModel]);
  const used = lastOf(data, 'used');
  const total = lastOf(data, 'total');
  const newestModelMiB = win.samples[win.samples.length - 1]?.modelVramMiB;
  const modelGiB = !withModel && newestModelMiB != null ? f.num(newestModelMiB / 1024, 1) : null;
  // The same element while the figure does not change: a new one each tick would re-render the legend.
  const footer = useMemo(
    () =>
      modelGiB != null ? (
        <span className="chart-legend-note">{t('monitor.modelAllGpus', { value: modelGiB })}</span>
      ) : null,
    [t, modelGiB],
  );
  return (
    <TimeChart
      {...frame}
      testId="chart-vram"
      title={t('monitor.charts.vram')}
      value={
        used != null
          ? [{ text: f.num(used, 1), bold: true }, { text: ` / ${total != null ? f.num(total, 1) : DASH} GiB` }]
          : NO_VALUE
      }
      data={data}
      axis={axis}
      series={series}
      footer={footer}
    />
  );
});

export const TemperatureChart = memo(function TemperatureChart({
  win,
  windowSeconds,
  intervalMs,
  text,
  gpu,
  thresholdC,
}: GpuCommon & { thresholdC: number | null }) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => temperatureSeries(win.samples, gpu), [win.samples, gpu]);
  const axis = useStableAxis(temperatureAxis(data, thresholdC));
  const series = useMemo<SeriesDef[]>(
    () => [
      {
        key: 'temp',
        label: t('monitor.series.temp'),
        color: 'var(--chart-temp)',
        kind: 'line',
        format: (v) => `${f.num(v)} °C`,
      },
    ],
    [t, f],
  );
  const refLines = useMemo<RefLineDef[]>(
    () =>
      thresholdC == null
        ? NO_REF_LINES
        : [
            {
              y: thresholdC,
              label: t('monitor.series.threshold', { value: f.num(thresholdC) }),
              color: 'var(--chart-danger)',
            },
          ],
    [t, f, thresholdC],
  );
  const temp = lastOf(data, 'temp');
  const hot = temp != null && thresholdC != null && temp >= thresholdC;
  return (
    <TimeChart
      {...frame}
      testId="chart-temp"
      title={t('monitor.charts.temp')}
      value={temp != null ? [{ text: `${f.num(temp)} °C`, bold: true, danger: hot }] : NO_VALUE}
      data={data}
      axis={axis}
      series={series}
      refLines={refLines}
    />
  );
});

export const PowerChart = memo(function PowerChart({ win, windowSeconds, intervalMs, text, gpu }: GpuCommon) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => powerSeries(win.samples, gpu), [win.samples, gpu]);
  // The top stays at the GPU's max limit, so moving the limit moves the line, not the axis.
  const maxW = win.samples[win.samples.length - 1]?.gpus.find((x) => x.index === gpu)?.powerMaxW ?? 0;
  const axis = useStableAxis(zeroTo(data, ['draw', 'limit'], maxW));
  const series = useMemo<SeriesDef[]>(() => {
    const w = (v: number) => `${f.num(v, 1)} W`;
    return [
      { key: 'draw', label: t('monitor.series.draw'), color: 'var(--chart-power)', kind: 'area', format: w },
      {
        key: 'limit',
        label: t('monitor.series.limit'),
        color: 'var(--chart-danger)',
        kind: 'step',
        dashed: true,
        format: w,
      },
    ];
  }, [t, f]);
  const draw = lastOf(data, 'draw');
  const limit = lastOf(data, 'limit');
  return (
    <TimeChart
      {...frame}
      testId="chart-power"
      title={t('monitor.charts.power')}
      value={
        draw != null
          ? [{ text: f.num(draw), bold: true }, { text: ` / ${limit != null ? f.num(limit) : DASH} W` }]
          : NO_VALUE
      }
      data={data}
      axis={axis}
      series={series}
    />
  );
});

export const UtilChart = memo(function UtilChart({ win, windowSeconds, intervalMs, text, gpu }: GpuCommon) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => utilSeries(win.samples, gpu), [win.samples, gpu]);
  const series = useMemo<SeriesDef[]>(
    () => [
      {
        key: 'util',
        label: t('monitor.series.util'),
        color: 'var(--chart-util)',
        kind: 'area',
        format: (v) => `${f.num(v)} %`,
      },
    ],
    [t, f],
  );
  const util = lastOf(data, 'util');
  return (
    <TimeChart
      {...frame}
      testId="chart-util"
      title={t('monitor.charts.util')}
      value={util != null ? [{ text: `${f.num(util)} %`, bold: true }] : NO_VALUE}
      data={data}
      axis={PERCENT_AXIS}
      series={series}
    />
  );
});

export const ClocksChart = memo(function ClocksChart({ win, windowSeconds, intervalMs, text, gpu }: GpuCommon) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => clockSeries(win.samples, gpu), [win.samples, gpu]);
  const axis = useStableAxis(zeroTo(data, ['sm', 'mem']));
  const series = useMemo<SeriesDef[]>(() => {
    const mhz = (v: number) => `${f.num(v)} MHz`;
    return [
      { key: 'sm', label: t('monitor.series.sm'), color: 'var(--chart-sm)', kind: 'line', format: mhz },
      { key: 'mem', label: t('monitor.series.mem'), color: 'var(--chart-mem)', kind: 'line', format: mhz },
    ];
  }, [t, f]);
  const tickK = useCallback((v: number) => (v >= 1000 ? `${f.num(v / 1000, 1)}k` : f.num(v)), [f]);
  const sm = lastOf(data, 'sm');
  const mem = lastOf(data, 'mem');
  return (
    <TimeChart
      {...frame}
      testId="chart-clocks"
      title={t('monitor.charts.clocks')}
      value={
        sm != null ? [{ text: f.num(sm), bold: true }, { text: ` / ${mem != null ? f.num(mem) : DASH} MHz` }] : NO_VALUE
      }
      data={data}
      axis={axis}
      series={series}
      formatTick={tickK}
    />
  );
});
