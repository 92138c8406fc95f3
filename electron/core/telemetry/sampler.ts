/**
 * Live telemetry: one tick per interval with every GPU, CPU load, RAM, and the backend's tokens/s and requests,
 * kept in a ring buffer (3600 ticks: an hour at 1 Hz, ≥ 10 minutes at any interval ≥ 170 ms) and emitted as
 * `telemetry.sample`.
 *
 * Lifecycle (demand.ts): the sampler runs only while it is wanted — someone listens to `telemetry.sample` on the
 * bus (a UI chart, a WebSocket client), or a part of the core holds it (thermal guard enabled, a power change
 * waiting for its confirming sample). When the last one goes it stops after a short grace period and kills the
 * nvidia-smi process.
 *
 * GPU source (gpu-source.ts), decided at each start: nvidia-smi → one long-lived `-lms` stream; amd-smi or
 * rocm-smi → polled per tick; none → ticks from a timer, CPU/RAM/tokens only, with `noGpuReason` in the status.
 */
import type { spawn as spawnFn } from 'node:child_process';
import type { EventBus } from '../../shared/contract';
import type { GpuSample, TelemetrySample, TelemetryStatus } from '../../shared/telemetry';
import type { AlertDraft } from '../alerts/draft';
import type { Backend } from '../backends/backend';
import { RingBuffer } from '../util/ring-buffer';
import { runTool as defaultRunTool, type RunTool } from '../util/run-tool';
import { BackendStatsPoller, noBackend, type BackendStats } from './backend-stats';
import { Demand } from './demand';
import {
  detectGpuSource,
  readAmdGpus,
  readAmdNames,
  readGpusOnce,
  type GpuSource,
  type GpuSourceKind,
} from './gpu-source';
import { HostStats } from './host-stats';
import { ModelVram } from './model-vram';
import { NvidiaSmiStream } from './nvidia-stream';

export interface TelemetryOptions {
  intervalMs?: number;
  /** Keep running this long after the last listener left. */
  stopGraceMs?: number;
  /** First delay before restarting a dead nvidia-smi (doubles per failure). */
  restartBaseMs?: number;
  watchdogMs?: number;
  capacity?: number;
}

export interface TelemetryDeps extends TelemetryOptions {
  bus: EventBus;
  env: NodeJS.ProcessEnv;
  backend: Pick<Backend, 'endpoint' | 'capabilities'> & { pid(): number | null };
  thresholdC(): number;
  alert(d: AlertDraft): void;
  log(line: string): void;
  runTool?: RunTool;
  spawn?: typeof spawnFn;
  now?: () => number;
}

export interface MetricsSnapshot {
  sample: TelemetrySample | null;
  backend: BackendStats;
  gpuSource: GpuSourceKind;
}

export const DEFAULT_CAPACITY = 3600;

/** What only some backends report (vLLM: waiting requests, KV-cache usage): present in a sample only when reported. */
export function backendExtras(b: BackendStats): Pick<TelemetrySample, 'requestsWaiting' | 'kvCacheUsage'> {
  return {
    ...(b.requestsWaiting !== undefined ? { requestsWaiting: b.requestsWaiting } : {}),
    ...(b.kvCacheUsage !== undefined ? { kvCacheUsage: b.kvCacheUsage } : {}),
  };
}

export class TelemetryService {
  readonly intervalMs: number;
  private readonly buffer: RingBuffer<TelemetrySample>;
  private readonly now: () => number;
  private readonly run: RunTool;
  private readonly demand: Demand;
  private running = false;
  private detected: GpuSource | null = null;
  private stream: NvidiaSmiStream | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticks: Promise<void> = Promise.resolve();
  private readonly internal = new Set<(s: TelemetrySample) => void>();
  private readonly host = new HostStats();
  private readonly backendStats: BackendStatsPoller;
  private backendLatest: BackendStats = noBackend;
  private backendPolling = false;
  private amdNames = new Map<number, string>();
  private amdBusy = false;
  private readonly modelVram: ModelVram;
  private lastStatus = '';
  private readonly unwatch: () => void;

  constructor(private readonly deps: TelemetryDeps) {
    this.intervalMs = deps.intervalMs ?? 1000;
    this.buffer = new RingBuffer<TelemetrySample>(deps.capacity ?? DEFAULT_CAPACITY);
    this.now = deps.now ?? Date.now;
    this.run = deps.runTool ?? defaultRunTool;
    this.backendStats = new BackendStatsPoller(deps.backend, Math.max(300, Math.min(2000, this.intervalMs)));
    this.scrapeBackend = new BackendStatsPoller(deps.backend);
    this.modelVram = new ModelVram({
      env: deps.env,
      run: this.run,
      servingPid: () => (deps.backend.endpoint() ? deps.backend.pid() : null),
      nvidiaSmi: () => (this.detected?.kind === 'nvidia-smi' ? this.detected.exe : null),
    });
    this.demand = new Demand({
      listeners: () => deps.bus.listenerCount('telemetry.sample'),
      graceMs: deps.stopGraceMs ?? 3000,
      isRunning: () => this.running,
      start: () => this.startNow(),
      stop: () => this.stopNow(),
      log: deps.log,
    });
    this.unwatch = deps.bus.watchListeners('telemetry.sample', () => this.demand.reconcile());
  }

  /** Keeps the sampler running until the returned release is called (idempotent). */
  hold(): () => void {
    return this.demand.hold();
  }

  isRunning(): boolean {
    return this.running;
  }

  /** The live nvidia-smi process, if any (tests and the bench check it comes and goes). */
  streamPid(): number | null {
    return this.stream?.pid ?? null;
  }

  // ---------- start / stop ----------

  detect(): Promise<GpuSource> {
    return detectGpuSource(this.deps.env);
  }

  private async startNow(): Promise<void> {
    const d = await this.detect();
    if (!this.demand.wanted()) return;
    this.detected = d;
    this.running = true;
    this.host.reset();
    this.deps.log(`telemetry: sampling every ${this.intervalMs} ms from ${d.kind}${d.exe ? ` (${d.exe})` : ''}`);
    if (d.kind === 'nvidia-smi' && d.exe) {
      this.stream = new NvidiaSmiStream({
        exe: d.exe,
        env: this.deps.env,
        intervalMs: this.intervalMs,
        ...(this.deps.spawn ? { spawn: this.deps.spawn } : {}),
        ...(this.deps.restartBaseMs !== undefined ? { restartBaseMs: this.deps.restartBaseMs } : {}),
        ...(this.deps.watchdogMs !== undefined ? { watchdogMs: this.deps.watchdogMs } : {}),
        onTick: (gpus) => this.tick(gpus),
        onRestart: ({ reason, attempt, delayMs }) => {
          this.deps.log(`telemetry: nvidia-smi ${reason}; restarting in ${delayMs} ms (attempt ${attempt})`);
          this.deps.alert({ kind: 'telemetry-restarted', level: 'warning', gpu: null, params: { reason, attempt } });
        },
        onFatal: (failure) => {
          this.deps.log(`telemetry: nvidia-smi sees no GPU (${failure}); charting CPU, RAM and tokens/s only`);
          this.stream = null;
          this.detected = { kind: 'none', exe: null, reason: failure === 'driver' ? 'nvidia-smi-failed' : 'no-gpu' };
          if (this.running) this.startTimer(() => this.tick([]));
          this.emitStatus();
        },
      });
      this.stream.start();
      void this.refreshModelVram();
    } else if ((d.kind === 'amd-smi' || d.kind === 'rocm-smi') && d.exe) {
      if (d.kind === 'amd-smi') this.amdNames = await readAmdNames(this.run, d.exe, this.deps.env);
      this.startTimer(() => void this.pollAmd(d));
    } else {
      this.startTimer(() => this.tick([]));
    }
    this.emitStatus();
  }

  private startTimer(f: () => void) {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(f, this.intervalMs);
    f();
  }

  private async stopNow(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const stream = this.stream;
    this.stream = null;
    await stream?.stop();
    this.deps.log('telemetry: stopped (no listeners)');
    this.emitStatus();
  }

  private async pollAmd(d: GpuSource) {
    if (this.amdBusy || !d.exe) return;
    this.amdBusy = true;
    try {
      const timeoutMs = Math.max(3000, this.intervalMs * 3);
      const gpus = await readAmdGpus(this.run, { ...d, exe: d.exe }, this.deps.env, this.amdNames, timeoutMs);
      if (!this.running) return;
      this.tick(gpus);
    } finally {
      this.amdBusy = false;
    }
  }

  // ---------- ticks ----------

  private tick(gpus: GpuSample[]): void {
    // Ticks are assembled in order even if one read is slow.
    this.ticks = this.ticks
      .then(async () => {
        if (!this.running) return;
        const host = await this.host.read();
        this.kickBackendPoll();
        const pid = this.deps.backend.pid();
        const b = this.backendLatest;
        const sample: TelemetrySample = {
          ts: this.now(),
          gpus,
          cpuPct: host.cpuPct,
          ramUsedBytes: host.ramUsedBytes,
          ramTotalBytes: host.ramTotalBytes,
          tokensPerSecond: this.deps.backend.endpoint() ? (b.tokensPerSecond ?? 0) : null,
          requestsInFlight: b.requestsInFlight,
          ...backendExtras(b),
          modelVramMiB: this.modelVram.of(pid),
        };
        this.buffer.push(sample);
        this.deps.bus.emit('telemetry.sample', sample);
        for (const l of [...this.internal]) {
          try {
            l(sample);
          } catch (e) {
            this.deps.log(`telemetry: listener failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      })
      .catch((e: unknown) => this.deps.log(`telemetry: tick failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  private kickBackendPoll() {
    if (this.backendPolling) return;
    if (!this.deps.backend.endpoint()) {
      this.backendLatest = noBackend;
      this.backendStats.reset();
      return;
    }
    this.backendPolling = true;
    void this.backendStats
      .poll(this.now())
      .then((r) => (this.backendLatest = r))
      .catch(() => undefined)
      .finally(() => (this.backendPolling = false));
  }

  /** Internal subscribers (alerts, thermal guard, power confirmation): they do not count as listeners. */
  onSample(l: (s: TelemetrySample) => void): () => void {
    this.internal.add(l);
    return () => void this.internal.delete(l);
  }

  /** Resolves with the first sample from now on satisfying `pred`, or null after the timeout. Holds the sampler. */
  waitForSample(pred: (s: TelemetrySample) => boolean, timeoutMs: number): Promise<TelemetrySample | null> {
    const release = this.hold();
    return new Promise((resolve) => {
      const done = (s: TelemetrySample | null) => {
        clearTimeout(timer);
        off();
        release();
        resolve(s);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      const off = this.onSample((s) => {
        if (pred(s)) done(s);
      });
    });
  }

  history(seconds?: number): TelemetrySample[] {
    const all = this.buffer.last();
    if (seconds === undefined) return all;
    const from = this.now() - seconds * 1000;
    let i = all.length;
    while (i > 0 && all[i - 1]!.ts >= from) i--;
    return all.slice(i);
  }

  /** The newest sample if it is recent enough to stand for "now". */
  latestFresh(maxAgeMs = this.intervalMs * 2 + 500): TelemetrySample | null {
    const last = this.buffer.last(1)[0];
    return last && this.now() - last.ts <= maxAgeMs ? last : null;
  }

  /** Every GPU once, without the stream (power status with the sampler off, /metrics scrapes). */
  async oneShotGpus(): Promise<{ source: GpuSourceKind; gpus: GpuSample[] }> {
    const d = this.running && this.detected ? this.detected : await this.detect();
    return { source: d.kind, gpus: await readGpusOnce(this.run, d, this.deps.env, this.amdNames) };
  }

  private readonly scrapeHost = new HostStats();
  private readonly scrapeBackend: BackendStatsPoller;

  /** For /metrics: the live sample when the sampler runs, else a one-off reading (CPU and tokens/s since the last scrape). */
  async metricsSnapshot(): Promise<MetricsSnapshot> {
    const fresh = this.latestFresh();
    if (fresh) return { sample: fresh, backend: this.backendLatest, gpuSource: this.detected?.kind ?? 'none' };
    const [{ source, gpus }, host, backend] = await Promise.all([
      this.oneShotGpus(),
      this.scrapeHost.read(),
      this.scrapeBackend.poll(this.now()),
    ]);
    const pid = this.deps.backend.pid();
    return {
      sample: {
        ts: this.now(),
        gpus,
        cpuPct: host.cpuPct,
        ramUsedBytes: host.ramUsedBytes,
        ramTotalBytes: host.ramTotalBytes,
        tokensPerSecond: backend.tokensPerSecond,
        requestsInFlight: backend.requestsInFlight,
        ...backendExtras(backend),
        modelVramMiB: this.modelVram.of(pid),
      },
      backend,
      gpuSource: source,
    };
  }

  // ---------- the model's share of VRAM (model-vram.ts) ----------

  refreshModelVram(): Promise<void> {
    return this.modelVram.refresh();
  }

  backendStopped(): void {
    this.modelVram.forget();
  }

  // ---------- status ----------

  async status(): Promise<TelemetryStatus> {
    const d = this.detected ?? (this.detected = await this.detect());
    return {
      running: this.running,
      gpuSource: d.kind,
      noGpuReason: d.reason,
      intervalMs: this.intervalMs,
      thermalThresholdC: this.deps.thresholdC(),
    };
  }

  /** Emits `telemetry.status` when something a client shows changed. */
  emitStatus(): void {
    void this.status().then((s) => {
      const json = JSON.stringify(s);
      if (json === this.lastStatus) return;
      this.lastStatus = json;
      this.deps.bus.emit('telemetry.status', s);
    });
  }

  async dispose(): Promise<void> {
    this.unwatch();
    await this.demand.dispose();
    await this.ticks;
  }
}
