/**
 * One live time-series chart, built to tick once a second for hours within a few milliseconds of main thread.
 *
 * recharts draws the frame: responsive sizing, the axes, grid and reference lines. Its time axis is relative to
 * the newest sample (−10 min … now), so from one tick to the next the frame's props do not change and, behind a
 * memo boundary, recharts does not re-render at all. A probe inside the chart (recharts 3 renders any child and
 * exposes its layout through usePlotArea / useChartWidth) reports the plot area when it changes.
 *
 * The series, and the live value in the card's head, are drawn on canvases by a worker where the browser allows
 * it (painter.ts): a tick then changes no DOM text and no SVG, so the browser runs no style, layout, paint or
 * commit on the main thread for it. Measured in scripts/bench/chart-tick.mjs; recharts' own <Line>/<Area>, even
 * decimated to ≤ 300 points with animations off and memoized children, cost 60–90 ms per tick for seven charts
 * on this project's 2-core machines (docs/ARCHITECTURE.md, Monitor charts; branch experiment/monitor-recharts).
 * Colours are CSS variables, resolved once per theme for the canvases.
 */
import {
  createContext,
  memo,
  useCallback,
  useContext,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
  type RefObject,
} from 'react';
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
import { painterFor, usePainterEpoch, type Painter } from './painter';
import { bucketFor, gapMs, nearestIndex, timeTicks, valueAt, type Axis, type Columns, type Frame } from './series';

export interface SeriesDef {
  key: string;
  label: string;
  color: string;
  kind: 'line' | 'area' | 'step';
  dashed?: boolean;
  /** Value → text with its unit, for the tooltip. */
  format: (v: number) => string;
  /** Shown in the tooltip only (e.g. RAM in GiB beside RAM %). */
  hidden?: boolean;
}

export interface RefLineDef {
  y: number;
  label: string;
  color: string;
}

/** A piece of the live value in the card's head: "<b>18.7</b> / 24 GiB" is three. */
export interface ValuePart {
  text: string;
  bold?: boolean;
  danger?: boolean;
}

export interface TimeChartProps {
  testId: string;
  title: string;
  /** The newest values, in the card's head. */
  value: readonly ValuePart[];
  data: Columns;
  /** Timestamp of the newest sample (the right edge), 0 when there is none. */
  end: number;
  windowSeconds: number;
  intervalMs: number;
  /** Keep the same object while the axis does not change (see useStableAxis): the frame re-renders on a new one. */
  axis: Axis;
  series: readonly SeriesDef[];
  refLines: readonly RefLineDef[];
  formatTick: (v: number) => string;
  /** Relative seconds (−600 … 0) → axis label. */
  formatAgo: (s: number) => string;
  /** Timestamp → tooltip heading. */
  formatTime: (t: number) => string;
  /** Text over the plot when there is nothing to draw (no model, no data). */
  overlay?: string | null;
  footer?: ReactNode;
}

/** Where recharts put the plot, in CSS pixels of the chart body. */
interface Geometry {
  x: number;
  y: number;
  width: number;
  height: number;
  chartWidth: number;
  chartHeight: number;
}

/** A stable callback (never a changing value: a context change would walk recharts' whole subtree each tick). */
const GeometryContext = createContext<((g: Geometry) => void) | null>(null);

const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };
const AXIS_TICK = { fontSize: 11, fill: 'var(--text-3)' };
const AXIS_LINE = { stroke: 'var(--border-strong)' };

// ---------- theme and colours for the canvases ----------

let theme = '';
const themeListeners = new Set<() => void>();
let themeObserver: MutationObserver | null = null;
/** html[data-theme], read once per change (one observer for all charts), so canvases redraw in the new colours. */
const subscribeTheme = (cb: () => void) => {
  if (!themeObserver) {
    theme = document.documentElement.dataset.theme ?? '';
    themeObserver = new MutationObserver(() => {
      theme = document.documentElement.dataset.theme ?? '';
      for (const l of [...themeListeners]) l();
    });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }
  themeListeners.add(cb);
  return () => themeListeners.delete(cb);
};
const useTheme = () => useSyncExternalStore(subscribeTheme, () => theme);

/**
 * `var(--chart-vram)` → the colour it resolves to in the current theme (a canvas cannot take CSS variables).
 * Cached per theme: getComputedStyle on every tick would recalculate style after each commit.
 */
const colorCache = new Map<string, string>();
function resolveColor(themeKey: string, color: string): string {
  const m = /^var\((--[\w-]+)\)$/.exec(color);
  if (!m) return color;
  const key = `${themeKey}|${m[1]}`;
  let c = colorCache.get(key);
  if (c === undefined) {
    c = getComputedStyle(document.documentElement).getPropertyValue(m[1]!).trim() || '#888';
    colorCache.set(key, c);
  }
  return c;
}

/** A canvas bound to the painter (worker or main thread); remounted when the painter falls back (epoch). */
function usePainter(canvas: RefObject<HTMLCanvasElement | null>, epoch: number) {
  const painter = useRef<Painter | null>(null);
  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const p = painterFor(el);
    painter.current = p;
    return () => {
      painter.current = null;
      p.release();
    };
  }, [canvas, epoch]);
  return painter;
}

// ---------- the chart ----------

export function TimeChart(p: TimeChartProps) {
  const [geom, setGeom] = useState<Geometry | null>(null);
  const report = useCallback((g: Geometry) => setGeom((old) => (old && sameGeometry(old, g) ? old : g)), []);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const themeKey = useTheme();
  const epoch = usePainterEpoch();
  const canvas = useRef<HTMLCanvasElement>(null);
  const painter = usePainter(canvas, epoch);

  const frame = useMemo<Frame | null>(
    () =>
      geom && geom.width > 0
        ? {
            x: geom.x,
            y: geom.y,
            width: geom.width,
            height: geom.height,
            end: p.end,
            windowMs: p.windowSeconds * 1000,
            yDomain: p.axis.domain,
          }
        : null,
    [geom, p.end, p.windowSeconds, p.axis.domain],
  );
  const sx = frame ? frame.width / frame.windowMs : 0;
  const i = frame && hoverX !== null ? nearestIndex(p.data.t, frame.end - (frame.x + frame.width - hoverX) / sx) : -1;
  const hx = frame && i >= 0 ? frame.x + frame.width - (frame.end - p.data.t[i]!) * sx : null;
  const hover = frame && hx !== null && hx >= frame.x ? { i, x: hx } : null;

  useLayoutEffect(() => {
    if (!painter.current || !frame || !geom) return;
    painter.current.paint({
      type: 'chart',
      width: geom.chartWidth,
      height: geom.chartHeight,
      dpr: window.devicePixelRatio || 1,
      frame,
      t: p.data.t,
      series: p.series
        .filter((s) => !s.hidden)
        .map((s) => ({
          v: p.data.v[s.key] ?? EMPTY,
          color: resolveColor(themeKey, s.color),
          kind: s.kind,
          dashed: !!s.dashed,
        })),
      gapMs: gapMs(p.intervalMs),
      bucketMs: bucketFor(frame, p.intervalMs),
      hover: hover ? { ...hover, color: resolveColor(themeKey, 'var(--text-3)') } : null,
    });
    // `themeKey` is a dependency only to redraw with the new colours; `epoch` to draw on a new canvas.
  }, [frame, geom, p.data, p.series, p.intervalMs, hover?.i, hover?.x, themeKey, epoch]); // eslint-disable-line react-hooks/exhaustive-deps

  // Unchanged between ticks: built once, so a tick does not re-render the legend.
  const legend = useMemo(
    () => (
      <footer className="chart-legend">
        {p.series
          .filter((s) => !s.hidden)
          .map((s) => (
            <span key={s.key} className="chart-legend-item">
              <span
                className={s.dashed ? 'chart-swatch dashed' : 'chart-swatch'}
                style={{ background: s.dashed ? undefined : s.color, borderColor: s.color }}
              />
              {s.label}
            </span>
          ))}
        {p.refLines.map((r) => (
          <span key={r.label} className="chart-legend-item">
            <span className="chart-swatch dashed" style={{ borderColor: r.color }} />
            {r.label}
          </span>
        ))}
        {p.footer}
      </footer>
    ),
    [p.series, p.refLines, p.footer],
  );

  return (
    <section
      className="chart-card"
      data-testid={p.testId}
      data-points={p.data.t.length}
      data-last-ts={p.end || undefined}
    >
      <header className="chart-head">
        <h3 className="chart-title">{p.title}</h3>
        <LiveValue parts={p.value} themeKey={themeKey} epoch={epoch} />
      </header>
      <div className="chart-body">
        <GeometryContext.Provider value={report}>
          <ChartFrame
            axis={p.axis}
            windowSeconds={p.windowSeconds}
            refLines={p.refLines}
            formatTick={p.formatTick}
            formatAgo={p.formatAgo}
          />
        </GeometryContext.Provider>
        <canvas key={epoch} ref={canvas} className="chart-series" aria-hidden="true" />
        {frame && (
          <div
            className="chart-hover"
            style={{ left: frame.x, top: frame.y, width: frame.width, height: frame.height }}
            onMouseMove={(e) =>
              setHoverX(e.clientX - (e.currentTarget.parentElement?.getBoundingClientRect().left ?? 0))
            }
            onMouseLeave={() => setHoverX(null)}
          />
        )}
        {frame && hover && (
          <Tip series={p.series} data={p.data} i={hover.i} x={hover.x} frame={frame} formatTime={p.formatTime} />
        )}
        {p.overlay && <div className="chart-overlay">{p.overlay}</div>}
      </div>
      {legend}
    </section>
  );
}

const EMPTY = new Float64Array(0);
const sameGeometry = (a: Geometry, b: Geometry) =>
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
const ChartFrame = memo(function ChartFrame({
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

let fontFamily: string | null = null;

/**
 * The live value in the card's head, drawn on a canvas by the same painter as the series. Text that changes every
 * tick makes the browser run style, layout, paint and a compositor commit on the main thread for the whole page;
 * a canvas drawn by the worker costs the main thread nothing. Screen readers get the text as the label.
 */
function LiveValue({ parts, themeKey, epoch }: { parts: readonly ValuePart[]; themeKey: string; epoch: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const painter = usePainter(canvas, epoch);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const label = parts.map((x) => x.text).join('');
  const key = parts.map((x) => `${x.bold ? 'b' : ''}${x.danger ? 'd' : ''}:${x.text}`).join('|');

  useLayoutEffect(() => {
    const el = canvas.current;
    if (!el) return;
    fontFamily ??= getComputedStyle(el).fontFamily;
    const ro = new ResizeObserver(([e]) => e && setSize({ w: e.contentRect.width, h: e.contentRect.height }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [epoch]);

  useLayoutEffect(() => {
    if (!painter.current || !size || size.w === 0) return;
    painter.current.paint({
      type: 'text',
      width: size.w,
      height: size.h,
      dpr: window.devicePixelRatio || 1,
      family: fontFamily ?? 'sans-serif',
      parts: parts.map((x) => ({
        text: x.text,
        bold: x.bold,
        color: resolveColor(themeKey, x.danger ? 'var(--danger)' : x.bold ? 'var(--text)' : 'var(--text-2)'),
      })),
    });
    // `key` stands for `parts` (a new array every render, the same text most of the time).
  }, [key, size, themeKey, epoch]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <canvas key={epoch} ref={canvas} className="chart-now" role="img" aria-label={label} data-testid="chart-value" />
  );
}

function Tip({
  series,
  data,
  i,
  x,
  frame,
  formatTime,
}: {
  series: readonly SeriesDef[];
  data: Columns;
  i: number;
  x: number;
  frame: Frame;
  formatTime: (t: number) => string;
}) {
  const right = x > frame.x + frame.width / 2;
  return (
    <div
      className="chart-tip"
      style={{ left: x, top: frame.y, transform: right ? 'translateX(calc(-100% - 12px))' : 'translateX(12px)' }}
    >
      <div className="chart-tip-time">{formatTime(data.t[i]!)}</div>
      {series.map((s) => {
        const v = valueAt(data.v[s.key], i);
        return v == null ? null : (
          <div key={s.key} className="chart-tip-row">
            <span className="chart-swatch" style={{ background: s.color }} />
            <span className="chart-tip-label">{s.label}</span>
            <span className="chart-tip-value">{s.format(v)}</span>
          </div>
        );
      })}
    </div>
  );
}
