/**
 * Chart data derived from a window of samples, and the SVG paths drawn from it. Pure; tested with tables.
 *
 * Columns (one array per series, plus the timestamps) rather than one object per point: a tick rebuilds every
 * series of every chart, and flat arrays of numbers keep that to a few allocations instead of thousands.
 * Axes use time relative to the newest sample ("−5 min … now"), so the axes, grid and reference lines stay
 * the same from one tick to the next and only the series paths change.
 */
import type { GpuSample, TelemetrySample } from '@shared/telemetry';

export type Value = number | null;

/**
 * Typed arrays, NaN where the GPU reported nothing: they are copied to the drawing worker on every tick, and a
 * typed array is cloned as one block of memory where an array of numbers and nulls is cloned value by value.
 */
export interface Columns {
  /** Sample timestamps (ms), oldest first. */
  t: Float64Array;
  /** One value per timestamp for each series key. */
  v: Record<string, Float64Array>;
}

/** NaN (no value) as null, for display. */
export const valueAt = (xs: Float64Array | undefined, i: number): Value => {
  const x = xs?.[i];
  return x === undefined || Number.isNaN(x) ? null : x;
};

const GIB = 1024;
/** A stream gap longer than this many intervals breaks the line instead of bridging it. */
const GAP_INTERVALS = 3;
export const gapMs = (intervalMs: number) => Math.max(intervalMs, 250) * GAP_INTERVALS;

/**
 * Fills one column per key, one row per sample. `row` writes a sample's values (NaN for none) at index i: one call
 * per sample (not per value) so a GPU chart looks its GPU up once per sample.
 */
function columns(
  samples: readonly TelemetrySample[],
  keys: readonly string[],
  row: (s: TelemetrySample, c: Record<string, Float64Array>, i: number) => void,
): Columns {
  const n = samples.length;
  const t = new Float64Array(n);
  const v: Record<string, Float64Array> = {};
  for (const k of keys) v[k] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    t[i] = s.ts;
    row(s, v, i);
  }
  return { t, v };
}

const gpuOf = (s: TelemetrySample, index: number): GpuSample | undefined => {
  // Almost always at its own position; find() only when the driver reports GPUs out of order.
  const g = s.gpus[index];
  return g && g.index === index ? g : s.gpus.find((x) => x.index === index);
};
const num = (x: number | null | undefined) => (x == null ? NaN : x);

export const vramSeries = (samples: readonly TelemetrySample[], gpu: number, withModel: boolean) =>
  columns(samples, withModel ? ['used', 'total', 'model'] : ['used', 'total'], (s, c, i) => {
    const g = gpuOf(s, gpu);
    c.used![i] = num(g?.vramUsedMiB) / GIB;
    c.total![i] = num(g?.vramTotalMiB) / GIB;
    if (withModel) c.model![i] = num(s.modelVramMiB) / GIB;
  });

export const temperatureSeries = (samples: readonly TelemetrySample[], gpu: number) =>
  columns(samples, ['temp'], (s, c, i) => {
    c.temp![i] = num(gpuOf(s, gpu)?.temperatureC);
  });

export const powerSeries = (samples: readonly TelemetrySample[], gpu: number) =>
  columns(samples, ['draw', 'limit'], (s, c, i) => {
    const g = gpuOf(s, gpu);
    c.draw![i] = num(g?.powerDrawW);
    c.limit![i] = num(g?.powerLimitW);
  });

export const utilSeries = (samples: readonly TelemetrySample[], gpu: number) =>
  columns(samples, ['util'], (s, c, i) => {
    c.util![i] = num(gpuOf(s, gpu)?.utilizationPct);
  });

export const clockSeries = (samples: readonly TelemetrySample[], gpu: number) =>
  columns(samples, ['sm', 'mem'], (s, c, i) => {
    const g = gpuOf(s, gpu);
    c.sm![i] = num(g?.smClockMHz);
    c.mem![i] = num(g?.memClockMHz);
  });

export const cpuRamSeries = (samples: readonly TelemetrySample[]) =>
  columns(samples, ['cpu', 'ram', 'ramGiB'], (s, c, i) => {
    c.cpu![i] = num(s.cpuPct);
    c.ram![i] = s.ramUsedBytes != null && s.ramTotalBytes ? (s.ramUsedBytes / s.ramTotalBytes) * 100 : NaN;
    c.ramGiB![i] = num(s.ramUsedBytes) / 2 ** 30;
  });

export const tpsSeries = (samples: readonly TelemetrySample[]) =>
  columns(samples, ['tps', 'inFlight'], (s, c, i) => {
    c.tps![i] = num(s.tokensPerSecond);
    c.inFlight![i] = s.requestsInFlight;
  });

/** KV-cache use in % (vLLM's kv_cache_usage_perc, 0..1) and requests waiting for a slot; NaN where not reported. */
export const kvSeries = (samples: readonly TelemetrySample[]) =>
  columns(samples, ['kv', 'waiting'], (s, c, i) => {
    c.kv![i] = s.kvCacheUsage == null ? NaN : s.kvCacheUsage * 100;
    c.waiting![i] = num(s.requestsWaiting);
  });

/** Whether a sample of the window reports the KV cache (a vLLM backend): the KV-cache chart is shown only then. */
export function reportsKv(samples: readonly TelemetrySample[]): boolean {
  // Newest first: while vLLM runs, the first look finds it.
  for (let i = samples.length - 1; i >= 0; i--) if (samples[i]!.kvCacheUsage != null) return true;
  return false;
}

/** Largest non-null value of the given series, or null. */
export function maxOf(c: Columns, ...keys: string[]): number | null {
  let m = -Infinity;
  for (const k of keys) for (const x of c.v[k] ?? []) if (x > m) m = x;
  return m === -Infinity ? null : m;
}

export function minOf(c: Columns, ...keys: string[]): number | null {
  let m = Infinity;
  for (const k of keys) for (const x of c.v[k] ?? []) if (x < m) m = x;
  return m === Infinity ? null : m;
}

/** The newest sample's value of a series (null when it reported none). */
export function lastOf(c: Columns, key: string): number | null {
  const xs = c.v[key];
  return xs ? valueAt(xs, xs.length - 1) : null;
}

/** Index of the sample nearest to time `t` (binary search), or -1 when there are none. */
export function nearestIndex(ts: ArrayLike<number>, t: number): number {
  if (ts.length === 0) return -1;
  let lo = 0;
  let hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && t - ts[lo - 1]! < ts[lo]! - t ? lo - 1 : lo;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v: axis steps that read as round numbers. */
export function niceStep(v: number): number {
  if (!(v > 0)) return 1;
  const k = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5]) if (v <= m * k * (1 + 1e-9)) return m * k;
  return 10 * k;
}

export interface Axis {
  domain: [number, number];
  ticks: number[];
}

/** lo..hi widened to whole steps, about four of them, so the axis does not wobble with every sample. */
export function niceAxis(lo: number, hi: number, steps = 4): Axis {
  if (!(hi > lo)) hi = lo + 1;
  const bounds = (step: number) => [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step] as const;
  let step = niceStep((hi - lo) / steps);
  // A top far above the data wastes the chart (24 GiB on a 0..30 axis): one more, finer step is better.
  const finer = niceStep((hi - lo) / (steps + 1));
  if (finer < step && bounds(step)[1] - hi > 0.2 * (hi - lo)) step = finer;
  const [a, b] = bounds(step);
  const ticks: number[] = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return { domain: [a, b], ticks };
}

/** 0..the largest value of `keys` (or `floor`, e.g. the GPU's max power limit, whichever is larger). */
export const zeroTo = (c: Columns, keys: string[], floor = 0): Axis =>
  niceAxis(0, Math.max(floor, maxOf(c, ...keys) ?? 0, 1e-9));

export const PERCENT_AXIS: Axis = niceAxis(0, 100);

/** Temperature: around the data and the threshold (so the threshold line is always on the chart). */
export function temperatureAxis(c: Columns, thresholdC: number | null): Axis {
  const lo = Math.min(minOf(c, 'temp') ?? 40, thresholdC ?? Infinity);
  const hi = Math.max(maxOf(c, 'temp') ?? 60, thresholdC ?? -Infinity);
  return niceAxis(Math.max(0, Math.floor((lo - 5) / 10) * 10), hi + 3);
}

export const sameAxis = (a: Axis, b: Axis) =>
  a.domain[0] === b.domain[0] && a.domain[1] === b.domain[1] && a.ticks.length === b.ticks.length;

const TICK_STEP_S: Record<number, number> = { 60: 15, 300: 60, 600: 120 };

/** Relative-time ticks in seconds, −window … 0. */
export function timeTicks(windowSeconds: number): number[] {
  const step = TICK_STEP_S[windowSeconds] ?? Math.max(1, Math.round(windowSeconds / 5));
  const ticks: number[] = [];
  for (let s = -windowSeconds; s <= 0; s += step) ticks.push(s);
  return ticks;
}

/** Maps data to the plot area: x from time (ms) relative to `end`, y from the axis domain. */
export interface Frame {
  x: number;
  y: number;
  width: number;
  height: number;
  end: number;
  windowMs: number;
  yDomain: [number, number];
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * SVG path of one series: straight segments (or steps, for limits that change at an instant), broken where a
 * value is missing or the stream paused. `area` closes each run down to the axis' bottom for a filled shape.
 *
 * With `bucketMs`, samples are grouped into time buckets (aligned to the clock, so a bucket holds the same
 * samples on every tick and nothing shimmers as the window slides) and each bucket contributes its lowest and
 * highest sample: a few pixels per bucket keep every peak while drawing a fraction of the vertices.
 */
export function seriesPath(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  f: Frame,
  opts: { step?: boolean; area?: boolean; gapMs: number; bucketMs?: number },
): string {
  const sx = f.width / f.windowMs;
  const x0 = f.x + f.width - f.end * sx;
  const [d0, d1] = f.yDomain;
  const sy = d1 > d0 ? f.height / (d1 - d0) : 0;
  const yBase = f.y + f.height;
  const base = r1(yBase);
  const bucketMs = opts.step ? 0 : (opts.bucketMs ?? 0);
  let d = '';
  let runStartX: number | null = null;
  let lastX = 0;
  let lastY = 0;
  const emit = (i: number) => {
    const px = r1(x0 + t[i]! * sx);
    const py = r1(yBase - (v[i]! - d0) * sy);
    if (runStartX === null) {
      d += opts.area ? `M${px} ${base}V${py}` : `M${px} ${py}`;
      runStartX = px;
    } else if (opts.step) {
      if (py !== lastY) d += `H${px}V${py}`;
    } else {
      d += `L${px} ${py}`;
    }
    lastX = px;
    lastY = py;
  };
  const close = () => {
    if (runStartX === null) return;
    // A step line runs on to its last sample's x.
    if (opts.step) d += `H${lastX}`;
    if (opts.area) d += `V${base}H${runStartX}Z`;
    runStartX = null;
  };
  let bucket = NaN;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0) return;
    if (lo === hi) emit(lo);
    else if (lo < hi) {
      emit(lo);
      emit(hi);
    } else {
      emit(hi);
      emit(lo);
    }
    lo = hi = -1;
  };
  let prevT = -Infinity;
  for (let i = 0; i < t.length; i++) {
    const val = v[i]!;
    const ts = t[i]!;
    if (Number.isNaN(val)) {
      flush();
      close();
      continue;
    }
    if (ts - prevT > opts.gapMs) {
      flush();
      close();
    }
    prevT = ts;
    const key = bucketMs > 0 ? Math.floor(ts / bucketMs) : i;
    if (key !== bucket) {
      flush();
      bucket = key;
    }
    if (lo < 0 || val < v[lo]!) lo = i;
    if (hi < 0 || val > v[hi]!) hi = i;
  }
  flush();
  close();
  return d;
}

/** Buckets of about `px` pixels, a whole number of sampling intervals (0 = one sample per vertex). */
export function bucketFor(f: Frame, intervalMs: number, px = 3): number {
  const ms = (px * f.windowMs) / f.width;
  const n = Math.round(ms / intervalMs);
  return n >= 2 ? n * intervalMs : 0;
}
