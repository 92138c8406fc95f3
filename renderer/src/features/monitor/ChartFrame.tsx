/**
 * The part of a TimeChart that recharts draws: sizing, axes, grid and reference lines, and a probe that reports
 * where the plot went. Its props stay the same between ticks, so behind the memo boundary recharts does not
 * re-render on a tick (see TimeChart for why the series are drawn elsewhere).
 */
import { createContext, memo, useContext, useLayoutEffect, useMemo } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  ReferenceLine,
  ResponsiveContainer,
  useChartHeight,
  useChartWidth,
  usePlotArea,
  XAxis,
  YAxis,
} from 'recharts';
import { timeTicks, type Axis } from './series';

export interface RefLineDef {
  y: number;
  label: string;
  color: string;
}

/** Where recharts put the plot, in CSS pixels of the chart body. */
export interface Geometry {
  x: number;
  y: number;
  width: number;
  height: number;
  chartWidth: number;
  chartHeight: number;
}

/** A stable callback (never a changing value: a context change would walk recharts' whole subtree each tick). */
export const GeometryContext = createContext<((g: Geometry) => void) | null>(null);

const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
const AXIS_TICK = { fontSize: 11, fill: 'var(--text-3)' };
const AXIS_LINE = { stroke: 'var(--border-strong)' };

export const sameGeometry = (a: Geometry, b: Geometry) =>
  a.x === b.x &&
  a.y === b.y &&
  a.width === b.width &&
  a.height === b.height &&
  a.chartWidth === b.chartWidth &&
  a.chartHeight === b.chartHeight;

const ticksFor = new Map<number, number[]>();
const relTicks = (w: number) => {
  let t = ticksFor.get(w);
  if (!t) ticksFor.set(w, (t = timeTicks(w)));
  return t;
};

/** Everything recharts draws. Its props stay the same between ticks, so a tick does not render it. */
export const ChartFrame = memo(function ChartFrame({
  axis,
  windowSeconds,
  refLines,
  formatTick,
  formatAgo,
}: {
  axis: Axis;
  windowSeconds: number;
  refLines: readonly RefLineDef[];
  formatTick: (v: number) => string;
  formatAgo: (s: number) => string;
}) {
  const xDomain = useMemo<[number, number]>(() => [-windowSeconds, 0], [windowSeconds]);
  return (
    <ResponsiveContainer width="100%" height="100%" debounce={50}>
      <ComposedChart margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
        <XAxis
          type="number"
          dataKey="x"
          domain={xDomain}
          ticks={relTicks(windowSeconds)}
          tickFormatter={formatAgo}
          allowDataOverflow
          tick={AXIS_TICK}
          axisLine={AXIS_LINE}
          tickLine={false}
          interval={0}
        />
        <YAxis
          type="number"
          width={44}
          domain={axis.domain}
          ticks={axis.ticks}
          allowDataOverflow
          tick={AXIS_TICK}
          tickFormatter={formatTick}
          axisLine={false}
          tickLine={false}
          interval={0}
        />
        {refLines.map((r) => (
          <ReferenceLine
            key={r.label}
            y={r.y}
            stroke={r.color}
            strokeDasharray="5 4"
            strokeWidth={1.2}
            ifOverflow="hidden"
          />
        ))}
        <PlotProbe />
      </ComposedChart>
    </ResponsiveContainer>
  );
});

/** Inside the chart: tells the card where recharts put the plot (renders nothing; re-renders only on layout). */
function PlotProbe() {
  const report = useContext(GeometryContext);
  const plot = usePlotArea();
  const chartWidth = useChartWidth();
  const chartHeight = useChartHeight();
  useLayoutEffect(() => {
    if (report && plot && chartWidth && chartHeight)
      report({ x: plot.x, y: plot.y, width: plot.width, height: plot.height, chartWidth, chartHeight });
  }, [report, plot, chartWidth, chartHeight]);
  return null;
}
