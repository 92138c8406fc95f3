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
import { useCallback, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { resolveColor, usePainter, useTheme } from './canvas-theme';
import { ChartFrame, GeometryContext, sameGeometry, type Geometry, type RefLineDef } from './ChartFrame';
import { LiveValue, type ValuePart } from './LiveValue';
import { usePainterEpoch } from './painter';
import { bucketFor, gapMs, nearestIndex, valueAt, type Axis, type Columns, type Frame } from './series';

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
