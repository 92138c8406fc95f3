/**
 * Self-healing supervision around a backend (llama-cpp today): forwards everything to the inner backend and adds
 * BackendStatus.recovery. When a run ends on its own (crash, out of memory, a stalled load, or a hang the watchdog
 * found) it asks recovery-plan.ts what to do: restart the same model after a backoff, one rung down the
 * out-of-memory ladder, or give up and stay crashed with the reason (retry() starts again). A served reply resets the
 * failed-try count (noteServed, called through Endpoint.served); a user start or stop resets everything.
 *
 * Consumers see one sequence: every status this class emits gets its own increasing seq, across inner runs.
 */
import { AppError } from '../../../shared/errors';
import type { BackendSettings, Recovery, RecoveryStep } from '../../../shared/backend-options';
import type { BackendStatus, LogLine, ModelFileInfo } from '../../../shared/schemas';
import type { Backend, BackendCapabilities, BackendExit, Endpoint, Health, StartRequest } from '../backend';
import { MAX_ATTEMPTS, planRecovery } from './recovery-plan';
import { HangWatchdog } from './watchdog';

export interface SelfHealingDeps {
  inner: Backend;
  /** Read on each decision, so a change applies to the next one. */
  settings: () => BackendSettings;
  /** {arch}.block_count of the model, for the GPU-layers rung; null when it cannot be read. */
  blockCount?: (model: ModelFileInfo) => Promise<number | null>;
  fetch?: typeof fetch;
  now?: () => number;
  /** Ends a hung process (default: SIGKILL, which also ends a stopped one). */
  kill?: (pid: number) => void;
  /** Watchdog: how often it asks /health and /slots (default 5 s). */
  watchdogIntervalMs?: number;
  /** Overrides settings.hangTimeoutS (tests). */
  hangTimeoutMs?: number;
  /** Overrides the plan's backoff (tests). */
  backoffMs?: (planned: number) => number;
}

export class SelfHealingBackend implements Backend {
  private readonly inner: Backend;
  private readonly now: () => number;
  private st: BackendStatus;
  private seq = 0;
  private readonly listeners = new Set<(s: BackendStatus) => void>();
  private waiters: { resolve: () => void; reject: (e: AppError) => void }[] = [];

  /** The run to keep alive (its options stepped down, if the ladder did), and the user's own request. */
  private current: StartRequest | null = null;
  private blockCount: number | null = null;
  private attempt = 0;
  private restarts = 0;
  private steps: RecoveryStep[] = [];
  private recovery: Recovery | null = null;
  /** A user start/stop/retry or dispose bumps it: pending restarts of an older epoch do nothing. */
  private epoch = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The watchdog ended this run as hung: its exit reads BACKEND_HUNG, not the SIGKILL we sent. */
  private hung: { runId: number; error: AppError } | null = null;
  private readonly watchdog: HangWatchdog;
  private disposed = false;
  private servedEndpoint: { inner: Endpoint; outer: Endpoint } | null = null;

  constructor(private readonly deps: SelfHealingDeps) {
    this.inner = deps.inner;
    this.now = deps.now ?? Date.now;
    this.st = { ...deps.inner.status(), recovery: null };
    this.watchdog = new HangWatchdog({
      fetch: deps.fetch ?? globalThis.fetch,
      health: () => this.inner.health(),
      slots: () => {
        const ep = this.inner.endpoint();
        const url = this.inner.capabilities()?.slotsUrl;
        return ep && url ? { url, apiKey: ep.apiKey } : null;
      },
      intervalMs: deps.watchdogIntervalMs ?? 5000,
      timeoutMs: () => deps.hangTimeoutMs ?? this.deps.settings().hangTimeoutS * 1000,
      now: this.now,
      onHung: (silentMs) => this.onHung(silentMs),
    });
    deps.inner.onStatus((s) => this.onInner(s));
  }

  /** The kind of the current (or last) run: the inner backend may be the kind router. */
  get kind(): Backend['kind'] {
    return this.inner.kind;
  }
  status(): BackendStatus {
    return this.st;
  }
  endpoint(): Endpoint | null {
    const ep = this.inner.endpoint();
    if (!ep) return null;
    // One object per inner endpoint, with `served` pointing here (the gate keys by baseUrl, callers may compare).
    if (this.servedEndpoint?.inner !== ep)
      this.servedEndpoint = { inner: ep, outer: { ...ep, served: () => this.noteServed() } };
    return this.servedEndpoint.outer;
  }
  capabilities(): BackendCapabilities | null {
    return this.inner.capabilities();
  }
  health(): Promise<Health> {
    return this.inner.health();
  }
  lastExit(): BackendExit | null {
    const exit = this.inner.lastExit();
    if (exit && exit.kind === 'exited' && this.hung && this.hung.runId === this.inner.status().runId)
      return { ...exit, error: this.hung.error };
    return exit;
  }
  recentLogs(limit?: number): LogLine[] {
    return this.inner.recentLogs(limit);
  }
  onLog(l: (line: LogLine) => void): () => void {
    return this.inner.onLog(l);
  }
  note(text: string): void {
    this.inner.note(text);
  }
  onStatus(l: (s: BackendStatus) => void): () => void {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }

  waitReady(): Promise<void> {
    const s = this.st;
    if (s.state === 'ready') return Promise.resolve();
    if (this.settled(s)) return Promise.reject(this.errorOf(s));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** A reply was served: the failed tries start again from zero. */
  noteServed(): void {
    if (this.attempt === 0) return;
    this.attempt = 0;
    if (this.recovery) this.setRecovery({ ...this.recovery, attempt: 0 });
  }

  /** The user's start: everything the supervision remembered is reset. */
  async start(req: StartRequest): Promise<BackendStatus> {
    // A run starting or stopping (perhaps a restart of ours) stays as it is: BACKEND_BUSY, nothing reset.
    const s = this.inner.status().state;
    if (s === 'starting' || s === 'loading' || s === 'stopping') throw new AppError('BACKEND_BUSY', { state: s });
    this.reset();
    this.current = req;
    this.blockCount = null;
    const epoch = this.epoch;
    // {arch}.block_count is a GGUF fact: a vLLM folder or an external server's `<url>#<model>` is not read as one.
    if (!req.kind || req.kind === 'llama-cpp')
      void this.deps
        .blockCount?.(req.model)
        .then((n) => {
          if (this.epoch === epoch) this.blockCount = n;
        })
        .catch(() => undefined);
    await this.inner.start(req);
    return this.st;
  }

  async stop(): Promise<BackendStatus> {
    const had = this.recovery;
    this.reset();
    if (had) this.emit(this.inner.status());
    await this.inner.stop();
    return this.st;
  }

  /** After the supervision gave up (or any crash): start again with the last options, attempts reset. */
  async retry(): Promise<BackendStatus> {
    const s = this.inner.status().state;
    if (!this.current) throw new AppError('BACKEND_NOT_READY');
    if (s === 'ready' || s === 'starting' || s === 'loading') return this.st;
    if (s === 'stopping') throw new AppError('BACKEND_BUSY', { state: s });
    this.cancelPending();
    this.attempt = 0;
    this.hung = null;
    this.restarts++;
    if (this.recovery)
      this.recovery = { ...this.recovery, phase: 'restarting', nextAt: null, attempt: 0, restarts: this.restarts };
    this.note('retrying the last model');
    await this.inner.start(this.current);
    return this.st;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.cancelPending();
    await this.inner.dispose();
  }

  private reset() {
    this.cancelPending();
    this.attempt = 0;
    this.restarts = 0;
    this.steps = [];
    this.recovery = null;
    this.hung = null;
  }

  private cancelPending() {
    this.epoch++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watchdog.stop();
  }

  private onInner(s: BackendStatus) {
    if (s.state === 'ready') {
      if (this.recovery?.phase === 'restarting') this.recovery = { ...this.recovery, phase: 'restarted', nextAt: null };
      if (!this.disposed) this.watchdog.start(s.runId);
    } else {
      this.watchdog.stop();
    }
    // Decided before anyone hears of the crash, so the crashed status already says what happens next.
    if (s.state === 'crashed' && !this.disposed) this.onFailure(s);
    this.emit(s);
  }

  private onFailure(s: BackendStatus) {
    const req = this.current;
    if (!req || s.runId !== this.inner.status().runId) return;
    const exit = this.lastExit();
    const settings = this.deps.settings();
    const decision = planRecovery({
      exit,
      attempt: this.attempt,
      restarts: this.restarts,
      steps: this.steps.length,
      settings,
      options: req.options,
      model: { contextLength: req.model.contextLength, blockCount: this.blockCount },
      now: this.now(),
      ...(req.kind ? { kind: req.kind } : {}),
    });
    if (decision.kind === 'none') return;
    const base = {
      reason: (exit && exit.kind !== 'stopped' ? exit.error : new AppError('BACKEND_CRASHED')).toInfo(),
      maxAttempts: MAX_ATTEMPTS,
      restarts: this.restarts,
    };
    if (decision.kind === 'give-up') {
      this.recovery = { ...base, attempt: this.attempt, phase: 'gave-up', nextAt: null, steps: this.steps };
      this.note(`gave up restarting after ${this.attempt} failed tries: ${base.reason.code}`);
      return;
    }
    this.attempt = decision.attempt;
    if (decision.step) this.steps = [...this.steps, decision.step];
    this.current = { ...req, options: decision.options };
    const delay = this.deps.backoffMs ? this.deps.backoffMs(decision.delayMs) : decision.delayMs;
    this.recovery = {
      ...base,
      attempt: this.attempt,
      phase: 'restarting',
      nextAt: this.now() + delay,
      steps: this.steps,
    };
    const what = decision.step
      ? `${decision.step.what} ${decision.step.from} → ${decision.step.to} (${base.reason.code})`
      : 'the same options';
    this.note(
      `${base.reason.code}: restarting in ${Math.round(delay / 100) / 10} s with ${what} (try ${this.attempt})`,
    );
    const epoch = this.epoch;
    this.timer = setTimeout(() => void this.restart(epoch), delay);
  }

  private async restart(epoch: number) {
    this.timer = null;
    if (epoch !== this.epoch || !this.current || this.disposed) return;
    this.restarts++;
    this.hung = null;
    if (this.recovery) this.recovery = { ...this.recovery, nextAt: null, restarts: this.restarts };
    try {
      await this.inner.start(this.current);
    } catch (e) {
      // A failed spawn is reported as a crashed status (decided there); anything else is only logged.
      this.note(`restart failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The watchdog found the ready run silent: end it (SIGKILL: a stopped process ignores SIGTERM) and let the exit restart it. */
  private onHung(silentMs: number) {
    const s = this.inner.status();
    if (s.state !== 'ready' || s.pid === null) return;
    const seconds = Math.round(silentMs / 1000);
    this.hung = { runId: s.runId, error: new AppError('BACKEND_HUNG', { seconds }) };
    this.note(`llama-server ${s.pid} answered neither /health nor /slots for ${seconds} s: ending it as hung`);
    try {
      (this.deps.kill ?? ((pid: number) => process.kill(pid, 'SIGKILL')))(s.pid);
    } catch {
      /* gone already: its exit is on its way */
    }
  }

  private setRecovery(r: Recovery) {
    this.recovery = r;
    this.emit(this.inner.status());
  }

  private emit(inner: BackendStatus) {
    const hungError =
      this.hung && this.hung.runId === inner.runId && inner.state === 'crashed' ? this.hung.error.toInfo() : null;
    this.st = { ...inner, ...(hungError ? { error: hungError } : {}), recovery: this.recovery, seq: ++this.seq };
    for (const l of [...this.listeners]) l(this.st);
    if (this.st.state === 'ready') this.settle(null);
    else if (this.settled(this.st)) this.settle(this.errorOf(this.st));
  }

  /** Stopped, or crashed with nothing more coming. */
  private settled(s: BackendStatus): boolean {
    return s.state === 'stopped' || (s.state === 'crashed' && s.recovery?.phase !== 'restarting');
  }
  private errorOf(s: BackendStatus): AppError {
    return s.error ? AppError.from(s.error) : new AppError('BACKEND_NOT_READY');
  }
  private settle(err: AppError | null) {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }
}
