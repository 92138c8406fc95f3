/**
 * AMD GPUs through amd-smi (ROCm 6+) or the older rocm-smi, both with --json. Their JSON shapes vary between
 * versions (a top-level array or {gpu_data: […]}; values as {value, unit}, "16368 MB" strings or "N/A"), so every
 * read is defensive. Pure.
 */
import type { GpuSample } from '../../shared/telemetry';
import { parseValue } from './nvidia-smi';

export const amdSmiStaticArgs = (): string[] => ['static', '--json'];
export const amdSmiMetricArgs = (): string[] => ['metric', '--json'];
export const rocmSmiArgs = (): string[] => [
  '--showproductname',
  '--showuse',
  '--showpower',
  '--showmaxpower',
  '--showtemp',
  '--showclocks',
  '--showfan',
  '--showmeminfo',
  'vram',
  '--json',
];

export interface AmdStaticGpu {
  index: number;
  name: string;
  vramTotalMiB: number | null;
  driverVersion: string | null;
}

type Json = unknown;
const obj = (x: Json): Record<string, Json> | null =>
  x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, Json>) : null;

/** A number from 42, "42", "42 %", {value: 42, unit: "%"}; null for "N/A" and friends. */
export function amdNumber(x: Json): number | null {
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (typeof x === 'string') return parseValue(x);
  const o = obj(x);
  return o && 'value' in o ? amdNumber(o.value) : null;
}

function path(x: Json, ...keys: string[]): Json {
  let cur: Json = x;
  for (const k of keys) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

function gpuList(parsed: Json): Record<string, Json>[] {
  const list = Array.isArray(parsed) ? parsed : (obj(parsed)?.gpu_data ?? obj(parsed)?.gpus);
  return Array.isArray(list) ? (list.map(obj).filter(Boolean) as Record<string, Json>[]) : [];
}

function safeJson(text: string): Json {
  // amd-smi can print warnings before the JSON; start at the first bracket.
  const i = text.search(/[[{]/);
  if (i < 0) return null;
  try {
    return JSON.parse(text.slice(i));
  } catch {
    return null;
  }
}

export function parseAmdSmiStatic(text: string): AmdStaticGpu[] {
  return gpuList(safeJson(text)).map((g, i) => {
    const name = path(g, 'asic', 'market_name');
    const driver = path(g, 'driver', 'version');
    return {
      index: amdNumber(g.gpu) ?? i,
      name: typeof name === 'string' && name && name !== 'N/A' ? name : 'AMD GPU',
      vramTotalMiB: amdNumber(path(g, 'vram', 'size')),
      driverVersion: typeof driver === 'string' && driver !== 'N/A' ? driver : null,
    };
  });
}

const emptySample = (index: number, name: string): GpuSample => ({
  index,
  name,
  vramUsedMiB: null,
  vramTotalMiB: null,
  temperatureC: null,
  powerDrawW: null,
  powerLimitW: null,
  powerMinW: null,
  powerMaxW: null,
  powerDefaultW: null,
  utilizationPct: null,
  smClockMHz: null,
  memClockMHz: null,
  fanPct: null,
});

/** `amd-smi metric --json`; names come from the static query (metric output has none). */
export function parseAmdSmiMetric(text: string, names: Map<number, string> = new Map()): GpuSample[] {
  return gpuList(safeJson(text)).map((g, i) => {
    const index = amdNumber(g.gpu) ?? i;
    const s = emptySample(index, names.get(index) ?? `AMD GPU ${index}`);
    s.utilizationPct = amdNumber(path(g, 'usage', 'gfx_activity'));
    s.powerDrawW = amdNumber(path(g, 'power', 'socket_power')) ?? amdNumber(path(g, 'power', 'average_socket_power'));
    s.powerLimitW = amdNumber(path(g, 'power', 'power_limit')) ?? amdNumber(path(g, 'power', 'socket_power_limit'));
    s.temperatureC = amdNumber(path(g, 'temperature', 'edge')) ?? amdNumber(path(g, 'temperature', 'hotspot'));
    s.smClockMHz = amdNumber(path(g, 'clock', 'gfx_0', 'clk'));
    s.memClockMHz = amdNumber(path(g, 'clock', 'mem_0', 'clk'));
    s.fanPct = amdNumber(path(g, 'fan', 'usage'));
    s.vramTotalMiB = amdNumber(path(g, 'mem_usage', 'total_vram'));
    s.vramUsedMiB = amdNumber(path(g, 'mem_usage', 'used_vram'));
    return s;
  });
}

const BYTES_PER_MIB = 1024 * 1024;

/** `rocm-smi … --json`: {"card0": {"GPU use (%)": "4", …}} — probe data and a sample from one call. */
export function parseRocmSmi(text: string): { gpus: AmdStaticGpu[]; samples: GpuSample[] } {
  const parsed = obj(safeJson(text));
  const gpus: AmdStaticGpu[] = [];
  const samples: GpuSample[] = [];
  if (!parsed) return { gpus, samples };
  for (const [key, value] of Object.entries(parsed)) {
    const m = /^card(\d+)$/.exec(key);
    const card = obj(value);
    if (!m || !card) continue;
    const index = Number(m[1]);
    const str = (k: string) => (typeof card[k] === 'string' && card[k] !== 'N/A' ? (card[k] as string) : null);
    const num = (k: string) => amdNumber(card[k]);
    const clock = (k: string) => {
      const c = /\((\d+)\s*Mhz\)/i.exec(str(k) ?? '');
      return c ? Number(c[1]) : null;
    };
    const name = str('Device Name') ?? str('Card Series') ?? str('Card series') ?? str('Card Model') ?? 'AMD GPU';
    const totalB = num('VRAM Total Memory (B)');
    const usedB = num('VRAM Total Used Memory (B)');
    gpus.push({
      index,
      name,
      vramTotalMiB: totalB === null ? null : Math.round(totalB / BYTES_PER_MIB),
      driverVersion: null,
    });
    const s = emptySample(index, name);
    s.vramTotalMiB = totalB === null ? null : Math.round(totalB / BYTES_PER_MIB);
    s.vramUsedMiB = usedB === null ? null : Math.round(usedB / BYTES_PER_MIB);
    s.temperatureC = num('Temperature (Sensor edge) (C)') ?? num('Temperature (Sensor junction) (C)');
    s.powerDrawW = num('Average Graphics Package Power (W)') ?? num('Current Socket Graphics Package Power (W)');
    s.powerLimitW = num('Max Graphics Package Power (W)');
    s.utilizationPct = num('GPU use (%)');
    s.smClockMHz = clock('sclk clock speed:');
    s.memClockMHz = clock('mclk clock speed:');
    s.fanPct = num('Fan speed (%)');
    samples.push(s);
  }
  return { gpus, samples };
}
