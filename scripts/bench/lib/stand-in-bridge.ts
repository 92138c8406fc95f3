/**
 * A stand-in for the preload's `window.deeplocal`, injected into a page before the renderer loads (Playwright's
 * addInitScript). The renderer then takes its IPC path (connection.ts) and everything after the bridge is the
 * real app: ipc client → event listener → query cache → React → recharts. Used by the chart-tick bench (which
 * needs 10 minutes of history at once, not after 10 minutes) and for screenshots of states a fake nvidia-smi
 * cannot reach cheaply. Every answer is checked against the contract's result schema, so it cannot drift.
 *
 * Bundled for the browser by ./stand-in.mjs; options come in as globalThis.__standInOptions.
 */
import './zod-jitless';
import { events, methods, type EventName, type MethodName } from '../../../electron/shared/contract';
import { AppError, type ErrorInfo } from '../../../electron/shared/errors';
import { idleStatus } from '../../../electron/shared/idle-status';
import { Settings, type SettingsPatch } from '../../../electron/shared/schemas';
import {
  probeNote,
  type Alert,
  type GpuSample,
  type HardwareReport,
  type PowerInfo,
  type TelemetrySample,
} from '../../../electron/shared/telemetry';

export interface StandInOptions {
  gpus: number;
  historySeconds: number;
  /** Emit a sample every intervalMs of wall time (screenshots); off for the bench, which ticks by hand. */
  autoTick: boolean;
  intervalMs: number;
  /** Refuse power changes like a non-root nvidia-smi. */
  deny: boolean;
  /** A GPU index that refuses -pl (a laptop GPU), or -1. */
  unsupportedGpu: number;
  language: 'system' | 'en' | 'zh-CN';
  theme: 'system' | 'light' | 'dark';
  /** Start with a model generating (tokens/s > 0). */
  generating: boolean;
  seed: number;
}

type Listener = (payload: unknown) => void;
type G = { deeplocal?: unknown; __standIn?: unknown; __standInOptions?: Partial<StandInOptions> };
const g = globalThis as unknown as G;

const opts: StandInOptions = {
  gpus: 2,
  historySeconds: 600,
  autoTick: true,
  intervalMs: 1000,
  deny: false,
  unsupportedGpu: -1,
  language: 'en',
  theme: 'light',
  generating: true,
  seed: 7,
  ...g.__standInOptions,
};

// Deterministic noise, so screenshots and bench runs see the same shapes.
let rnd = opts.seed >>> 0 || 1;
const random = () => {
  rnd ^= rnd << 13;
  rnd ^= rnd >>> 17;
  rnd ^= rnd << 5;
  return (rnd >>> 0) / 4294967296;
};

const MODELS = [
  { name: 'NVIDIA GeForce RTX 4090', vram: 24564, min: 150, max: 600, def: 450, sm: 2520, mem: 10501 },
  { name: 'NVIDIA GeForce RTX 3090', vram: 24576, min: 100, max: 400, def: 350, sm: 1695, mem: 9751 },
  { name: 'NVIDIA GeForce RTX 4070 Laptop GPU', vram: 8188, min: 5, max: 115, def: 80, sm: 2175, mem: 8001 },
];
const gpus = Array.from({ length: opts.gpus }, (_, i) => {
  const m = MODELS[opts.unsupportedGpu === i ? 2 : i % 2]!;
  return { ...m, index: i, limit: m.def, temp: 45 + 4 * i, util: 0, draw: 30, used: 1200 + 300 * i };
});
let settings = Settings.parse({ language: opts.language, theme: opts.theme });
let lastTs = 0;
let phase = 0;
let alertId = 0;
const alerts: Alert[] = [];
const listeners = new Map<string, Set<Listener>>();

function emit<E extends EventName>(event: E, payload: unknown) {
  const checked = events[event].parse(payload);
  for (const l of [...(listeners.get(event) ?? [])]) l(checked);
}

/** One tick of a believable workload: bursts of generation heat the GPU, idle gaps cool it. */
function nextSample(ts: number): TelemetrySample {
  phase++;
  const busy = opts.generating && phase % 90 < 60;
  const gs: GpuSample[] = gpus.map((x) => {
    const targetUtil = busy ? 88 + random() * 10 : 2 + random() * 4;
    x.util += (targetUtil - x.util) * 0.5;
    const targetDraw = Math.min(x.limit, 25 + (x.util / 100) * x.def * 1.05);
    x.draw += (targetDraw - x.draw) * 0.45 + (random() - 0.5) * 6;
    x.temp += (32 + x.draw / 8.5 - x.temp) * 0.08 + (random() - 0.5) * 0.6;
    x.used = busy ? Math.min(x.vram * 0.78, x.used + 40) : Math.max(x.vram * 0.55, x.used - 5);
    if (!opts.generating) x.used = 900 + 150 * x.index;
    return {
      index: x.index,
      name: x.name,
      vramUsedMiB: Math.round(x.used),
      vramTotalMiB: x.vram,
      temperatureC: Math.round(x.temp),
      powerDrawW: Math.round(Math.max(8, x.draw) * 100) / 100,
      powerLimitW: x.limit,
      powerMinW: x.min,
      powerMaxW: x.max,
      powerDefaultW: x.def,
      utilizationPct: Math.round(x.util),
      smClockMHz: busy ? x.sm - Math.round(random() * 60) : 210,
      memClockMHz: busy ? x.mem : 405,
      fanPct: Math.round(30 + x.temp / 3),
    };
  });
  return {
    ts,
    gpus: gs,
    cpuPct: Math.round((busy ? 18 : 4) + random() * 8),
    ramUsedBytes: (14.2 + random() * 0.3 + (busy ? 1.1 : 0)) * 2 ** 30,
    ramTotalBytes: 64 * 2 ** 30,
    tokensPerSecond: opts.generating ? (busy ? 38 + random() * 6 : 0) : null,
    requestsInFlight: busy ? 1 : 0,
    modelVramMiB: opts.generating ? 13_900 : null,
  };
}

const history: TelemetrySample[] = [];
{
  const now = Date.now();
  const start = now - opts.historySeconds * 1000;
  for (let ts = start; ts <= now; ts += opts.intervalMs) history.push(nextSample(ts));
  lastTs = history[history.length - 1]?.ts ?? now;
}
const HISTORY_MAX = 3600;

function tick(): TelemetrySample {
  const ts = opts.autoTick ? Math.max(Date.now(), lastTs + 1) : lastTs + opts.intervalMs;
  lastTs = ts;
  const s = nextSample(ts);
  history.push(s);
  if (history.length > HISTORY_MAX) history.shift();
  emit('telemetry.sample', s);
  const hot = s.gpus.find((x) => x.temperatureC !== null && x.temperatureC >= 83);
  if (hot && phase % 30 === 0)
    pushAlert('temperature-high', 'warning', hot.index, { temp: hot.temperatureC ?? 0, threshold: 83 });
  return s;
}

function pushAlert(
  kind: Alert['kind'],
  level: Alert['level'],
  gpu: number | null,
  params: Alert['params'],
  ts = Date.now(),
) {
  const a: Alert = { id: ++alertId, ts, kind, level, gpu, params };
  alerts.push(a);
  emit('alert', a);
  return a;
}
// A little history for the event log.
{
  const t0 = Date.now() - 8 * 60_000;
  alerts.push({
    id: ++alertId,
    ts: t0,
    kind: 'power-limit-applied',
    level: 'info',
    gpu: 0,
    params: { watts: 450, previousW: 400, source: 'user' },
  });
  alerts.push({
    id: ++alertId,
    ts: t0 + 95_000,
    kind: 'vram-high',
    level: 'warning',
    gpu: 0,
    params: { pct: 87, usedMiB: 21_370, totalMiB: 24_564 },
  });
  alerts.push({
    id: ++alertId,
    ts: t0 + 240_000,
    kind: 'temperature-high',
    level: 'warning',
    gpu: 0,
    params: { temp: 84, threshold: 83 },
  });
  alerts.push({
    id: ++alertId,
    ts: t0 + 300_000,
    kind: 'thermal-guard-lowered',
    level: 'warning',
    gpu: 0,
    params: { temp: 84, threshold: 83, fromW: 450, toW: 440 },
  });
  alerts.push({
    id: ++alertId,
    ts: t0 + 420_000,
    kind: 'thermal-guard-restored',
    level: 'info',
    gpu: 0,
    params: { temp: 74, watts: 450 },
  });
}

const powerInfo = (): PowerInfo[] =>
  gpus.map((x) => ({
    index: x.index,
    name: x.name,
    supported: x.index !== opts.unsupportedGpu,
    currentLimitW: x.limit,
    defaultLimitW: x.def,
    minLimitW: x.min,
    maxLimitW: x.max,
    userLimitW: x.limit === x.def ? null : x.limit,
    guardLimitW: null,
  }));

function gpuFor(index: number) {
  const x = gpus.find((y) => y.index === index);
  if (!x) throw new AppError('NO_GPU', { gpu: index });
  return x;
}

function setLimit(index: number, watts: number, reset = false) {
  const x = gpuFor(index);
  if (x.index === opts.unsupportedGpu)
    throw new AppError(
      'POWER_UNSUPPORTED',
      { gpu: index },
      `Changing power management limit is not supported for GPU: 00000000:0${index + 1}:00.0.`,
    );
  if (opts.deny)
    throw new AppError(
      'POWER_PERMISSION',
      { command: reset ? `sudo nvidia-smi -i ${index} -pl ${x.def}` : `sudo nvidia-smi -i ${index} -pl ${watts}` },
      'Insufficient Permissions',
    );
  if (watts < x.min || watts > x.max)
    throw new AppError(
      'POWER_RANGE',
      { watts, min: x.min, max: x.max },
      `Provided power limit ${watts.toFixed(2)} W is not a valid power limit which should be between ${x.min.toFixed(2)} W and ${x.max.toFixed(2)} W for GPU 00000000:01:00.0`,
    );
  const from = x.limit;
  x.limit = watts;
  emit('power.changed', powerInfo());
  pushAlert('power-limit-applied', 'info', index, { watts, previousW: from, source: reset ? 'reset' : 'user' });
  // Like the core, which waits for a sample showing the new limit; here the next tick will show it.
  return {
    gpu: index,
    appliedW: watts,
    via: 'direct' as const,
    message: `Power limit for GPU 00000000:0${index + 1}:00.0 was set to ${watts.toFixed(2)} W from ${from.toFixed(2)} W.`,
    confirmed: false,
  };
}

const report = (): HardwareReport => ({
  probedAt: Date.now(),
  durationMs: 412,
  os: { platform: 'linux', distro: 'Ubuntu', release: '24.04.1 LTS', arch: 'x64', source: 'systeminformation' },
  cpu: {
    model: 'AMD Ryzen 9 7950X 16-Core Processor',
    cores: 16,
    threads: 32,
    avx2: true,
    avx512: true,
    neon: false,
    source: 'systeminformation',
  },
  memory: { totalBytes: 64 * 2 ** 30, availableBytes: 47.3 * 2 ** 30, source: 'os' },
  disk: {
    path: '/home/user/.local/share/DeepLocal/models',
    freeBytes: 612 * 2 ** 30,
    totalBytes: 1863 * 2 ** 30,
    source: 'systeminformation',
  },
  gpus: gpus.map((x) => ({
    index: x.index,
    vendor: 'nvidia' as const,
    name: x.name,
    uuid: `GPU-${x.index}f1c2d3e-0000-0000-0000-00000000000${x.index}`,
    vramTotalMiB: { value: x.vram, source: 'nvidia-smi' as const },
    vramFreeMiB: { value: x.vram - 1200, source: 'nvidia-smi' as const },
    driverVersion: { value: '570.133.07', source: 'nvidia-smi' as const },
    cudaVersion: '12.8',
    computeCapability: x.index === 0 ? '8.9' : '8.6',
    unifiedMemory: false,
    backendDevice: { name: `CUDA${x.index}`, description: x.name, totalMiB: x.vram - 40, freeMiB: x.vram - 1500 },
  })),
  backendDevices: gpus.map((x) => ({
    name: `CUDA${x.index}`,
    description: x.name,
    totalMiB: x.vram - 40,
    freeMiB: x.vram - 1500,
  })),
  disagreements: gpus.length
    ? [
        {
          field: 'gpu0.vramTotalMiB',
          values: [
            { source: 'systeminformation', value: '24576' },
            { source: 'nvidia-smi', value: String(gpus[0]!.vram) },
            { source: 'llama-server', value: String(gpus[0]!.vram - 40) },
          ],
          preferred: 'llama-server',
        },
      ]
    : [],
  notes: [
    probeNote('amd-smi', 'TOOL_NOT_RUN', { error: 'not found on PATH' }),
    probeNote('rocm-smi', 'TOOL_NOT_RUN', { error: 'not found on PATH' }),
  ],
});

type Impl = Partial<Record<MethodName, (p: never) => unknown>>;
const impl: Impl = {
  'app.info': () => ({
    name: 'DeepLocal',
    version: '0.1.0',
    shell: 'electron',
    platform: 'linux',
    arch: 'x64',
    systemLocale: 'en-US',
    dataDir: '/home/user/.local/share/DeepLocal',
    backend: { found: true, path: '/opt/DeepLocal/resources/bin/llama-server', variant: 'cuda' },
    apiBaseUrl: null,
    powerControl: 'direct',
  }),
  'settings.get': () => settings,
  'settings.update': (patch: SettingsPatch) => {
    const next: Record<string, unknown> = { ...settings };
    for (const [k, v] of Object.entries(patch)) {
      const cur = (settings as Record<string, unknown>)[k];
      next[k] =
        v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? { ...cur, ...v } : v;
    }
    settings = Settings.parse(next);
    emit('settings.changed', settings);
    return settings;
  },
  'backend.status': () => idleStatus(0, { seq: 1 }),
  'backend.logs': () => [],
  'telemetry.status': () => ({
    running: true,
    gpuSource: gpus.length ? 'nvidia-smi' : 'none',
    noGpuReason: gpus.length ? null : 'no-gpu',
    intervalMs: opts.intervalMs,
    thermalThresholdC: settings.thermalGuard.thresholdC,
  }),
  'telemetry.history': (p: { seconds?: number }) => history.filter((s) => s.ts >= lastTs - (p.seconds ?? 600) * 1000),
  'power.status': () => powerInfo(),
  'power.setLimit': (p: { gpu: number; watts: number }) => setLimit(p.gpu, p.watts),
  'power.resetLimit': (p: { gpu: number }) => setLimit(p.gpu, gpuFor(p.gpu).def, true),
  'power.lockClocks': (p: { gpu: number; minMHz: number; maxMHz: number }) => {
    gpuFor(p.gpu);
    if (opts.deny)
      throw new AppError('POWER_PERMISSION', { command: `sudo nvidia-smi -i ${p.gpu} -lgc ${p.minMHz},${p.maxMHz}` });
    return {
      gpu: p.gpu,
      appliedW: null,
      via: 'direct',
      message: `GPU clocks set to "(gpcclk=${p.minMHz}, gpcclk=${p.maxMHz})"`,
      confirmed: true,
    };
  },
  'power.resetClocks': (p: { gpu: number }) => ({
    gpu: gpuFor(p.gpu).index,
    appliedW: null,
    via: 'direct',
    message: 'All done.',
    confirmed: true,
  }),
  'alerts.list': (p: { limit?: number }) => alerts.slice(-(p.limit ?? 200)),
  'hardware.probe': () => report(),
  'hardware.reportText': () => ({ text: `DeepLocal hardware report\n${JSON.stringify(report(), null, 2)}` }),
};

const bridge = {
  async invoke(method: MethodName, params: unknown) {
    try {
      const f = impl[method];
      if (!f) {
        // Lists other pages ask for at start (conversations …) answer empty rather than fail.
        if (method.endsWith('.list')) return { ok: true, result: [] };
        throw new AppError('UNSUPPORTED', { what: method });
      }
      const parsed = methods[method].params.parse(params ?? {});
      const result = methods[method].result.parse(await f(parsed as never));
      return { ok: true, result };
    } catch (e) {
      if (!(e instanceof AppError)) console.error('stand-in', method, e instanceof Error ? e.stack : e);
      const info: ErrorInfo =
        e instanceof AppError ? e.toInfo() : { code: 'INTERNAL', message: String(e), params: { reason: String(e) } };
      return { ok: false, error: info };
    }
  },
  on(event: EventName, listener: Listener) {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  },
};

let timer: ReturnType<typeof setInterval> | null = null;
const setAuto = (on: boolean) => {
  if (timer) clearInterval(timer);
  timer = on ? setInterval(tick, opts.intervalMs) : null;
};
setAuto(opts.autoTick);

g.deeplocal = bridge;
g.__standIn = {
  tick,
  setAuto,
  emit,
  pushAlert,
  /** Listeners per event: the bench checks the page subscribed before it ticks. */
  listenerCount: (event: string) => listeners.get(event)?.size ?? 0,
  options: opts,
};
