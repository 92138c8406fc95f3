/**
 * Drawing a chart's series, and its live value in the card's head, onto 2D canvases: the same code runs in the
 * chart worker (OffscreenCanvas) and, where workers or OffscreenCanvas are unavailable, on the main thread.
 * Everything it needs travels in the job, so a job can be posted to a worker as is.
 */
import { seriesPath, type Frame } from './series';

export interface DrawSeries {
  /** NaN where there is no value. */
  v: Float64Array;
  /** A resolved colour (a canvas cannot take CSS variables). */
  color: string;
  kind: 'line' | 'area' | 'step';
  dashed: boolean;
}

export interface DrawJob {
  type: 'chart';
  /** CSS pixels of the whole chart body, and the device pixel ratio. */
  width: number;
  height: number;
  dpr: number;
  frame: Frame;
  t: Float64Array;
  series: DrawSeries[];
  gapMs: number;
  bucketMs: number;
  /** The hovered sample: a cursor line and a dot per series. */
  hover: { i: number; x: number; color: string } | null;
}

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/**
 * Sizes the canvas to the job (in device pixels) and returns its context scaled to CSS pixels and cleared, or null
 * when the canvas has no 2D context.
 */
function prepareCanvas(
  canvas: HTMLCanvasElement | OffscreenCanvas,
  job: { width: number; height: number; dpr: number },
): Ctx | null {
  const w = Math.round(job.width * job.dpr);
  const h = Math.round(job.height * job.dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d') as Ctx | null;
  if (!ctx) return null;
  ctx.setTransform(job.dpr, 0, 0, job.dpr, 0, 0);
  ctx.clearRect(0, 0, job.width, job.height);
  return ctx;
}

export function drawChart(canvas: HTMLCanvasElement | OffscreenCanvas, job: DrawJob) {
  const ctx = prepareCanvas(canvas, job);
  if (!ctx) return;
  const { frame } = job;
  ctx.save();
  ctx.beginPath();
  ctx.rect(frame.x, frame.y - 2, frame.width, frame.height + 4);
  ctx.clip();
  ctx.lineJoin = 'round';
  ctx.globalAlpha = 0.15;
  for (const s of job.series) {
    if (s.kind !== 'area') continue;
    ctx.fillStyle = s.color;
    ctx.fill(new Path2D(seriesPath(job.t, s.v, frame, { area: true, gapMs: job.gapMs, bucketMs: job.bucketMs })));
  }
  ctx.globalAlpha = 1;
  for (const s of job.series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.dashed ? 1.3 : 1.6;
    ctx.setLineDash(s.dashed ? [5, 4] : []);
    ctx.stroke(
      new Path2D(seriesPath(job.t, s.v, frame, { step: s.kind === 'step', gapMs: job.gapMs, bucketMs: job.bucketMs })),
    );
  }
  ctx.restore();
  const hover = job.hover;
  if (!hover) return;
  ctx.setLineDash([3, 3]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = hover.color;
  ctx.beginPath();
  ctx.moveTo(hover.x, frame.y);
  ctx.lineTo(hover.x, frame.y + frame.height);
  ctx.stroke();
  const [d0, d1] = frame.yDomain;
  for (const s of job.series) {
    const v = s.v[hover.i];
    if (v === undefined || Number.isNaN(v) || s.dashed) continue;
    ctx.fillStyle = s.color;
    ctx.beginPath();
    ctx.arc(hover.x, frame.y + frame.height - ((v - d0) / (d1 - d0 || 1)) * frame.height, 3, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** A line of text, right-aligned and vertically centred: "<b>18.7</b> / 24 GiB". */
export interface TextJob {
  type: 'text';
  width: number;
  height: number;
  dpr: number;
  /** Resolved CSS font family. */
  family: string;
  parts: { text: string; bold?: boolean; color: string }[];
}

export type PaintJob = DrawJob | TextJob;

export function drawText(canvas: HTMLCanvasElement | OffscreenCanvas, job: TextJob) {
  const ctx = prepareCanvas(canvas, job);
  if (!ctx) return;
  ctx.textBaseline = 'alphabetic';
  const fonts = job.parts.map((p) => (p.bold ? `650 15px ${job.family}` : `400 12.5px ${job.family}`));
  const widths = job.parts.map((p, i) => {
    ctx.font = fonts[i]!;
    return ctx.measureText(p.text).width;
  });
  let x = job.width - widths.reduce((a, b) => a + b, 0);
  const y = Math.round(job.height / 2 + 5);
  job.parts.forEach((p, i) => {
    ctx.font = fonts[i]!;
    ctx.fillStyle = p.color;
    ctx.fillText(p.text, x, y);
    x += widths[i]!;
  });
}

export function paint(canvas: HTMLCanvasElement | OffscreenCanvas, job: PaintJob) {
  if (job.type === 'chart') drawChart(canvas, job);
  else drawText(canvas, job);
}
