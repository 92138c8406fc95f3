/**
 * nvidia-smi's CSV output as data: the fields we stream, one line → one GpuSample, lines of one tick grouped
 * per GPU, and the failure texts that mean "no GPU here" rather than "try again". Pure; tested with the recorded
 * outputs in fixtures/.
 */
import type { GpuSample } from '../../shared/telemetry';

/** Order matters: parseSampleLine reads by position. */
export const STREAM_FIELDS = [
  'index',
  'name',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'enforced.power.limit',
  'power.min_limit',
  'power.max_limit',
  'power.default_limit',
  'utilization.gpu',
  'clocks.sm',
  'clocks.mem',
  'fan.speed',
] as const;

const CSV = '--format=csv,noheader,nounits';

/** One long-lived process that prints one line per GPU every `intervalMs`. */
export const streamArgs = (intervalMs: number): string[] => [
  `--query-gpu=${STREAM_FIELDS.join(',')}`,
  CSV,
  '-lms',
  String(Math.max(50, Math.round(intervalMs))),
];
/** The same query once (power status when the sampler is off, /metrics scrapes). */
export const oneShotArgs = (): string[] => [`--query-gpu=${STREAM_FIELDS.join(',')}`, CSV];
export const computeAppsArgs = (): string[] => ['--query-compute-apps=pid,used_memory', CSV];

/**
 * A field's value, or null for what nvidia-smi prints when it has none: `[N/A]`, `N/A`, `[Not Supported]`,
 * `[Unknown Error]`, `[Insufficient Permissions]`, `[GPU is lost]` … (anything bracketed), or a non-number.
 */
export function parseValue(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const t = raw.trim();
  if (!t || t.startsWith('[') || /^n\/?a$/i.test(t)) return null;
  // Units appear when someone runs without nounits ("450.00 W"); the number is what we want either way.
  const m = /^-?\d+(?:\.\d+)?/.exec(t);
  if (!m) return null;
  const n = Number(m[0]);
  return Number.isFinite(n) ? n : null;
}

/** One stream line → a sample, or null for lines that are not data (warnings, errors, blank). */
export function parseSampleLine(line: string): GpuSample | null {
  const parts = line.split(',').map((p) => p.trim());
  const n = STREAM_FIELDS.length;
  if (parts.length < n) return null;
  // A name with a comma in it would shift every field after it: the last 12 fields are fixed, the name is the rest.
  const index = parts[0]!;
  if (!/^\d+$/.test(index)) return null;
  const tail = parts.slice(parts.length - (n - 2));
  const name = parts.slice(1, parts.length - (n - 2)).join(', ');
  const v = (i: number) => parseValue(tail[i]);
  return {
    index: Number(index),
    name,
    vramUsedMiB: v(0),
    vramTotalMiB: v(1),
    temperatureC: v(2),
    powerDrawW: v(3),
    powerLimitW: v(4),
    powerMinW: v(5),
    powerMaxW: v(6),
    powerDefaultW: v(7),
    utilizationPct: v(8),
    smClockMHz: v(9),
    memClockMHz: v(10),
    fanPct: v(11),
  };
}

export function parseSampleLines(text: string): GpuSample[] {
  const out: GpuSample[] = [];
  for (const line of text.split(/\r?\n/)) {
    const s = parseSampleLine(line);
    if (s) out.push(s);
  }
  return out;
}

/**
 * Groups streamed lines into ticks. nvidia-smi prints every GPU's line for a tick in one burst, in index order;
 * a tick is complete when an index repeats (the next tick began) or when as many GPUs as the largest tick so
 * far have arrived — so with N GPUs a tick is emitted on its last line, not one interval later.
 */
export class TickGrouper {
  private current: GpuSample[] = [];
  private expected = 0;

  /** Adds a line; returns the tick it completed, if any. */
  push(sample: GpuSample): GpuSample[][] {
    const done: GpuSample[][] = [];
    if (this.current.some((s) => s.index === sample.index)) {
      const t = this.take();
      if (t) done.push(t);
    }
    this.current.push(sample);
    if (this.expected > 0 && this.current.length >= this.expected) {
      const t = this.take();
      if (t) done.push(t);
    }
    return done;
  }

  /** The partial tick (called after a quiet period: a GPU vanished, or this is the very first tick). */
  flush(): GpuSample[] | null {
    return this.take();
  }

  get pending(): number {
    return this.current.length;
  }

  reset(): void {
    this.current = [];
    this.expected = 0;
  }

  private take(): GpuSample[] | null {
    if (this.current.length === 0) return null;
    const t = this.current.sort((a, b) => a.index - b.index);
    this.expected = Math.max(this.expected, t.length);
    this.current = [];
    return t;
  }
}

export type NvidiaSmiFailure = 'driver' | 'no-devices' | 'permission' | null;

/** Texts that mean nvidia-smi cannot see a GPU at all (restarting it will not help). */
export function classifyNvidiaSmiFailure(text: string): NvidiaSmiFailure {
  if (
    /couldn't communicate with the NVIDIA driver|NVML: Driver\/library version mismatch|Failed to initialize NVML/i.test(
      text,
    )
  )
    return 'driver';
  if (/No devices were found/i.test(text)) return 'no-devices';
  if (/Insufficient Permissions/i.test(text)) return 'permission';
  return null;
}

export interface ComputeApp {
  pid: number;
  usedMiB: number;
}

/** `--query-compute-apps=pid,used_memory`: one row per process per GPU. */
export function parseComputeApps(text: string): ComputeApp[] {
  const out: ComputeApp[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [pid, mem] = line.split(',').map((p) => p.trim());
    if (!pid || !/^\d+$/.test(pid)) continue;
    const used = parseValue(mem);
    if (used !== null) out.push({ pid: Number(pid), usedMiB: used });
  }
  return out;
}

/** VRAM a process holds across all GPUs (null when nvidia-smi lists it nowhere). */
export function vramOfProcess(apps: ComputeApp[], pid: number): number | null {
  const mine = apps.filter((a) => a.pid === pid);
  return mine.length ? mine.reduce((s, a) => s + a.usedMiB, 0) : null;
}
