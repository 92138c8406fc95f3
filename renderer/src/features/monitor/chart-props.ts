/**
 * What every live chart derives the same way: the shared text and formatters, the TimeChart props that come from
 * the window, and axes that keep their identity. Each chart is a memo component that derives its columns from the
 * shared window; its axis, series and reference lines keep their identity between ticks unless they really change,
 * so recharts' frame is skipped and only the series layer redraws (see TimeChart). Typing in the power panel, a
 * toast or the event log renders none of them.
 */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RefLineDef } from './ChartFrame';
import { useFormats, type Formats } from './format';
import type { ValuePart } from './LiveValue';
import type { TimeWindow } from './samples';
import { sameAxis, type Axis } from './series';
import type { TimeChartProps } from './TimeChart';

export interface Common {
  win: TimeWindow;
  windowSeconds: number;
  intervalMs: number;
  text: ChartText;
}
export interface GpuCommon extends Common {
  gpu: number;
}

export const DASH = '–';
export const NO_REF_LINES: RefLineDef[] = [];
export const NO_VALUE: ValuePart[] = [{ text: DASH }];

/** The previous axis object while the new one is equal, so the memoized chart frame is not re-rendered. */
export function useStableAxis(axis: Axis): Axis {
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
export function useChartFrame({ win, windowSeconds, intervalMs, text }: Common) {
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
