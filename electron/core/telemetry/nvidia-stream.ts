/**
 * The one long-lived `nvidia-smi --query-gpu=… -lms N` process (a spawn per sample would cost far more than the
 * 1 % budget). Lines become ticks (TickGrouper); if the process dies or goes silent it is restarted with
 * exponential backoff, unless its text says there is no GPU to watch (no driver, no devices) — then restarting
 * cannot help and the owner is told why.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import type { GpuSample } from '../../shared/telemetry';
import {
  classifyNvidiaSmiFailure,
  parseSampleLine,
  streamArgs,
  TickGrouper,
  type NvidiaSmiFailure,
} from '../gpu-tools/nvidia-smi';
import { lineSplitter } from '../util/lines';

export interface NvidiaStreamDeps {
  exe: string;
  env: NodeJS.ProcessEnv;
  intervalMs: number;
  spawn?: typeof nodeSpawn;
  onTick(gpus: GpuSample[]): void;
  /** The process ended unexpectedly and will be started again after `delayMs`. */
  onRestart(info: { reason: string; attempt: number; delayMs: number }): void;
  /** nvidia-smi says it cannot see any GPU: no restart. */
  onFatal(failure: Exclude<NvidiaSmiFailure, null>, text: string): void;
  /** First restart delay; doubles per consecutive failure up to 30 s. */
  restartBaseMs?: number;
  /** No data for this long counts as a hang (default: 5 intervals, at least 5 s). */
  watchdogMs?: number;
  now?: () => number;
}

const MAX_BACKOFF_MS = 30_000;
/** Running this long without dying resets the backoff. */
const STABLE_MS = 30_000;

export class NvidiaSmiStream {
  private child: ChildProcess | null = null;
  private wanted = false;
  private attempt = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastDataAt = 0;
  private startedAt = 0;
  private readonly grouper = new TickGrouper();
  private exited: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: NvidiaStreamDeps) {
    this.now = deps.now ?? Date.now;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.attempt = 0;
    this.spawnOnce();
    const watchdogMs = this.deps.watchdogMs ?? Math.max(5000, this.deps.intervalMs * 5);
    this.watchdog = setInterval(
      () => {
        if (this.child && this.now() - this.lastDataAt > watchdogMs) {
          this.kill(this.child, 'stalled');
        }
      },
      Math.min(watchdogMs, 1000),
    );
    this.watchdog.unref?.();
  }

  /** Stops and waits until the process is gone. */
  async stop(): Promise<void> {
    this.wanted = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.restartTimer = this.flushTimer = this.watchdog = null;
    this.grouper.reset();
    const child = this.child;
    if (child) {
      const exited = this.exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(t);
    }
  }

  private stallReason: string | null = null;
  private kill(child: ChildProcess, reason: string) {
    this.stallReason = reason;
    child.kill('SIGKILL');
  }

  private spawnOnce(): void {
    const { exe, env, intervalMs } = this.deps;
    let child: ChildProcess;
    const text: string[] = [];
    const remember = (line: string) => {
      if (!line.trim()) return;
      text.push(line);
      if (text.length > 20) text.shift();
    };
    try {
      child = (this.deps.spawn ?? nodeSpawn)(exe, streamArgs(intervalMs), {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      this.scheduleRestart(`spawn failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.child = child;
    this.startedAt = this.now();
    this.lastDataAt = this.now();
    this.stallReason = null;
    this.grouper.reset();
    const flushDelay = Math.max(10, Math.min(100, intervalMs / 2));
    child.stdout!.on(
      'data',
      lineSplitter((line) => {
        const s = parseSampleLine(line);
        if (!s) return remember(line);
        this.lastDataAt = this.now();
        for (const tick of this.grouper.push(s)) this.deps.onTick(tick);
        if (this.flushTimer) clearTimeout(this.flushTimer);
        this.flushTimer = null;
        if (this.grouper.pending > 0) {
          // The first tick (GPU count not learned yet), or a GPU that disappeared mid-tick.
          this.flushTimer = setTimeout(() => {
            this.flushTimer = null;
            const t = this.grouper.flush();
            if (t) this.deps.onTick(t);
          }, flushDelay);
        }
      }),
    );
    child.stderr!.on('data', lineSplitter(remember));
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const onEnd = (reason: string) => {
        if (done) return;
        done = true;
        if (this.child === child) this.child = null;
        resolve();
        if (!this.wanted) return;
        const all = text.join('\n');
        const failure = classifyNvidiaSmiFailure(all);
        if (failure === 'driver' || failure === 'no-devices') {
          this.wanted = false;
          if (this.watchdog) clearInterval(this.watchdog);
          this.watchdog = null;
          this.deps.onFatal(failure, all);
          return;
        }
        if (this.now() - this.startedAt > STABLE_MS) this.attempt = 0;
        this.scheduleRestart(this.stallReason ?? reason);
      };
      child.once('error', (e) => onEnd(`spawn error: ${e.message}`));
      child.once('close', (code, signal) => onEnd(signal ? `killed by ${signal}` : `exited with code ${code}`));
    });
  }

  private scheduleRestart(reason: string) {
    this.attempt++;
    const delayMs = Math.min(MAX_BACKOFF_MS, (this.deps.restartBaseMs ?? 1000) * 2 ** (this.attempt - 1));
    this.deps.onRestart({ reason, attempt: this.attempt, delayMs });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.wanted) this.spawnOnce();
    }, delayMs);
  }
}
