/**
 * The seven live charts. Each is a memo component that derives its columns from the shared window; its axis,
 * series and reference lines keep their identity between ticks unless they really change, so recharts' frame
 * is skipped and only the series layer redraws (see TimeChart). Typing in the power panel, a toast or the
 * event log renders none of them.
 */
import { memo, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormats, type Formats } from './format';
import type { TimeWindow } from './samples';
import {
  clockSeries,
  cpuRamSeries,
  lastOf,
  maxOf,
  PERCENT_AXIS,
  powerSeries,
  sameAxis,
  temperatureAxis,
  temperatureSeries,
  tpsSeries,
  utilSeries,
  vramSeries,
  zeroTo,
  type Axis,
} from './series';
import { TimeChart, type RefLineDef, type SeriesDef, type TimeChartProps, type ValuePart } from './TimeChart';

interface Common {
  win: TimeWindow;
  windowSeconds: number;
  intervalMs: number;
  text: ChartText;
}
interface GpuCommon extends Common {
  gpu: number;
}

const DASH = '–';
const NO_REF_LINES: RefLineDef[] = [];
const NO_VALUE: ValuePart[] = [{ text: DASH }];

/** The previous axis object while the new one is equal, so the memoized chart frame is not re-rendered. */
function useStableAxis(axis: Axis): Axis {
  const [kept, setKept] = useState(axis);
  if (!sameAxis(kept, axis)) {
    setKept(axis);
    return axis;
  }
  return kept;
}

export interface ChartText {
  t: ReturnType<typeof useTranslation>['t'];
  f: Formats;
  formatAgo: (s: number) => string;
  tickInt: (v: number) => string;
}

/**
 * Translation and formatters shared by every chart: one object per language and window, built by the grid and
 * passed down, so a tick does not run useTranslation twice in each of the seven charts (0.3–0.5 ms of a ~3 ms
 * tick in scripts/bench/chart-tick.mjs).
 */
export function useChartText(windowSeconds: number): ChartText {
  const { t } = useTranslation();
  const f = useFormats();
  return useMemo(
    () => ({
      t,
      f,
      formatAgo: (s: number) =>
        s === 0
          ? t('monitor.now')
          : windowSeconds <= 60
            ? t('monitor.agoSeconds', { n: -s })
            : t('monitor.agoMinutes', { n: f.num(-s / 60) }),
      // Axis steps can be 2.5, 7.5 …: one decimal where a tick has one, none otherwise.
      tickInt: (v: number) => f.num(v, 1),
    }),
    [t, f, windowSeconds],
  );
}

type FrameProps = Pick<
  TimeChartProps,
  'end' | 'windowSeconds' | 'intervalMs' | 'refLines' | 'formatTick' | 'formatAgo' | 'formatTime'
>;

/**
 * The TimeChart props every chart passes the same way: the window, the interval, the shared formatters, and no
 * reference lines. Spread first, so a chart can still pass its own refLines or formatTick after it.
 */
function useChartFrame({ win, windowSeconds, intervalMs, text }: Common) {
  const { t, f, formatAgo, tickInt } = text;
  const frame: FrameProps = {
    end: win.end,
    windowSeconds,
    intervalMs,
    refLines: NO_REF_LINES,
    formatTick: tickInt,
    formatAgo,
    formatTime: f.time,
  };
  return { t, f, frame };
}

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

export const CpuRamChart = memo(function CpuRamChart({ win, windowSeconds, intervalMs, text }: Common) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => cpuRamSeries(win.samples), [win.samples]);
  const series = useMemo<SeriesDef[]>(() => {
    const pct = (v: number) => `${f.num(v)} %`;
    return [
      { key: 'cpu', label: t('monitor.series.cpu'), color: 'var(--chart-cpu)', kind: 'line', format: pct },
      { key: 'ram', label: t('monitor.series.ram'), color: 'var(--chart-ram)', kind: 'line', format: pct },
      {
        key: 'ramGiB',
        label: t('monitor.series.ramUsed'),
        color: 'var(--chart-ram)',
        kind: 'line',
        hidden: true,
        format: (v) => `${f.num(v, 1)} GiB`,
      },
    ];
  }, [t, f]);
  const cpu = lastOf(data, 'cpu');
  const ram = lastOf(data, 'ramGiB');
  return (
    <TimeChart
      {...frame}
      testId="chart-cpu-ram"
      title={t('monitor.charts.cpuRam')}
      value={[
        { text: `${series[0]!.label} ` },
        { text: cpu != null ? `${f.num(cpu)} %` : DASH, bold: true },
        { text: ` · ${series[1]!.label} ` },
        { text: ram != null ? `${f.num(ram, 1)} GiB` : DASH, bold: true },
      ]}
      data={data}
      axis={PERCENT_AXIS}
      series={series}
    />
  );
});

export const TpsChart = memo(function TpsChart({ win, windowSeconds, intervalMs, text }: Common) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => tpsSeries(win.samples), [win.samples]);
  const axis = useStableAxis(zeroTo(data, ['tps'], 10));
  const series = useMemo<SeriesDef[]>(
    () => [
      {
        key: 'tps',
        label: t('monitor.series.tps'),
        color: 'var(--chart-tps)',
        kind: 'area',
        format: (v) => t('monitor.tpsValue', { value: f.num(v, 1) }),
      },
      {
        key: 'inFlight',
        label: t('monitor.series.inFlight'),
        color: 'var(--chart-tps)',
        kind: 'line',
        hidden: true,
        format: (v) => f.num(v),
      },
    ],
    [t, f],
  );
  const tps = lastOf(data, 'tps');
  const tpsText = tps != null ? f.num(tps, 1) : null;
  const value = useMemo<ValuePart[]>(
    () => (tpsText != null ? [{ text: t('monitor.tpsValue', { value: tpsText }), bold: true }] : NO_VALUE),
    [t, tpsText],
  );
  const idle = data.t.length > 0 && maxOf(data, 'tps') === null;
  return (
    <TimeChart
      {...frame}
      testId="chart-tps"
      title={t('monitor.charts.tps')}
      value={value}
      data={data}
      axis={axis}
      series={series}
      overlay={idle ? t('monitor.noModel') : null}
    />
  );
});
