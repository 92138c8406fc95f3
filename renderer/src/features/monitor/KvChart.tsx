/**
 * vLLM's KV cache: the share in use (vLLM refuses or preempts requests when it is full) and, in the head and the
 * tooltip, the requests waiting for a slot. Shown by the grid only while samples report the KV cache (see reportsKv).
 */
import { memo, useMemo } from 'react';
import { DASH, useChartFrame, type Common } from './chart-props';
import type { ValuePart } from './LiveValue';
import { kvSeries, lastOf, PERCENT_AXIS } from './series';
import { TimeChart, type SeriesDef } from './TimeChart';

export const KvChart = memo(function KvChart({ win, windowSeconds, intervalMs, text }: Common) {
  const { t, f, frame } = useChartFrame({ win, windowSeconds, intervalMs, text });
  const data = useMemo(() => kvSeries(win.samples), [win.samples]);
  const series = useMemo<SeriesDef[]>(
    () => [
      {
        key: 'kv',
        label: t('monitor.series.kv'),
        color: 'var(--chart-model)',
        kind: 'area',
        format: (v) => `${f.num(v, 1)} %`,
      },
      {
        key: 'waiting',
        label: t('monitor.series.waiting'),
        color: 'var(--chart-model)',
        kind: 'line',
        hidden: true,
        format: (v) => f.num(v),
      },
    ],
    [t, f],
  );
  const kv = lastOf(data, 'kv');
  const waiting = lastOf(data, 'waiting');
  const kvText = kv != null ? `${f.num(kv, 1)} %` : DASH;
  const waitingText = waiting != null ? f.num(waiting) : null;
  const value = useMemo<ValuePart[]>(
    () => [
      { text: kvText, bold: true },
      ...(waitingText != null
        ? [{ text: ` · ${t('monitor.series.waiting')} ` }, { text: waitingText, bold: true }]
        : []),
    ],
    [t, kvText, waitingText],
  );
  return (
    <TimeChart
      {...frame}
      testId="chart-kv"
      title={t('monitor.charts.kv')}
      value={value}
      data={data}
      axis={PERCENT_AXIS}
      series={series}
    />
  );
});
