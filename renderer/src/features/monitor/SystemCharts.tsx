/**
 * The charts shown with or without a GPU: CPU and RAM of the machine, and the model server's tokens per second
 * (see chart-props for how they stay cheap on a tick).
 */
import { memo, useMemo } from 'react';
import { DASH, NO_VALUE, useChartFrame, useStableAxis, type Common } from './chart-props';
import type { ValuePart } from './LiveValue';
import { cpuRamSeries, lastOf, maxOf, PERCENT_AXIS, tpsSeries, zeroTo } from './series';
import { TimeChart, type SeriesDef } from './TimeChart';

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
