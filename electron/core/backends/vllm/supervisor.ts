/**
 * The vLLM backend kind: supervises one `vllm serve` (the install's command + vllm-args.ts's argv, the key in
 * VLLM_API_KEY), stopped → starting → loading → ready → stopping → stopped, or crashed with a typed reason.
 *
 * vLLM opens its port only once the model is loaded, so until then readiness comes from the process and its log:
 * each line moves the load progress (log-progress.ts → status.progress/phase) and restarts the stall timer
 * (readiness.ts). Then GET /health answers 200, and the run is ready once /v1/models (with the key) lists the served
 * name. On exit the output's tail is classified (stderr-classifier.ts). The process tree is a group of its own
 * (process-tree.ts): stop signals the group (SIGTERM, SIGKILL after the grace period), an exit ends what is left of
 * it, a watchdog ends it if the app dies, and run/vllm.pid lets the next start reap what survived even that.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { BackendStatus, LogLine } from '../../../shared/schemas';
import type { Backend, BackendCapabilities, BackendExit, Endpoint, Health, StartRequest } from '../backend';
import { BackendLog } from '../backend-log';
import { readiness } from '../readiness';
import { exitOutcome } from '../llama-cpp/exit-outcome';
import { idleStatus } from '../../../shared/idle-status';
import { StatusCell } from '../status-cell';
import { vllmCapabilities, vllmSpawn, type VllmSpawn } from './launch';
import { applyVllmLine, initialVllmProgress, type VllmProgress } from './log-progress';
import { reapStaleVllm, removeVllmPidFile, VLLM_PID_FILE, writeVllmPidFile } from './vllm-pidfile';
import { crLineSplitter, probeVllmHealth, vllmModelsReady } from './run-io';
import { endWatchdog, killGroupRest, signalTree, spawnGroup, startWatchdog } from './process-tree';
import { classifyVllmExit, vllmExitError } from './stderr-classifier';

export { VLLM_PID_FILE };

export interface VllmBackendDeps {
  spawn: typeof spawnFn;
  fetch: typeof fetch;
  /** A free loopback port for each spawn (util/free-port.ts). */
  pickPort: () => Promise<number>;
  /** Where the pid file lives (inside the data dir). */
  runDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Load is declared stalled after this long without a log line (vLLM logs every phase; weights show a bar). */
  stallMs?: number;
  healthIntervalMs?: number;
  killGraceMs?: number;
  /** One log shared by every backend kind. */
  log?: BackendLog;
  /** Tests: no watchdog process. */
  watchdog?: boolean;
}

type Failure = Exclude<BackendExit, { kind: 'stopped' }>;

const idle = (runId: number, extra: Partial<BackendStatus> = {}): BackendStatus =>
  idleStatus(runId, { kind: 'vllm', ...extra });

/** vLLM's phases → the status phase the app shows. */
function statusPhase(p: VllmProgress): BackendStatus['phase'] {
  return p.phase === 'kv-cache' || p.phase === 'listening' || p.phase === 'ready' ? 'warming' : 'loading';
}

export class VllmBackend implements Backend {
  readonly kind = 'vllm';
  private readonly cell = new StatusCell(idle(0));
  private child: ChildProcess | null = null;
  private watchdogChild: ChildProcess | null = null;
  private port: number | null = null;
  private serving: { endpoint: Endpoint; capabilities: BackendCapabilities } | null = null;
  private exit: BackendExit | null = null;
  private readonly log: BackendLog;
  private tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private reaped: Promise<void> | null = null;

  constructor(private readonly deps: VllmBackendDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? new BackendLog(2000, this.now);
  }

  /** Ends a vLLM left by a DeepLocal that died (run/vllm.pid: owner gone, pid still runs vllm). Once; start waits. */
  reapStale(): Promise<void> {
    this.reaped ??= reapStaleVllm(this.deps.runDir, (m) => this.note(m)).catch((e: unknown) =>
      this.note(`could not check ${VLLM_PID_FILE}: ${String(e)}`),
    );
    return this.reaped;
  }

  status(): BackendStatus {
    return this.st;
  }
  endpoint(): Endpoint | null {
    return this.st.state === 'ready' ? (this.serving?.endpoint ?? null) : null;
  }
  capabilities(): BackendCapabilities | null {
    return this.st.state === 'ready' ? (this.serving?.capabilities ?? null) : null;
  }
  health(): Promise<Health> {
    return this.child && this.port !== null
      ? probeVllmHealth(this.deps.fetch, this.port)
      : Promise.resolve('unreachable');
  }
  lastExit(): BackendExit | null {
    return this.exit;
  }
  recentLogs(limit?: number): LogLine[] {
    return this.log.recent(limit);
  }
  onStatus(l: (s: BackendStatus) => void): () => void {
    return this.cell.onChange(l);
  }
  onLog(l: (line: LogLine) => void): () => void {
    return this.log.onLine(l);
  }
  note(text: string): void {
    this.log.push('app', text);
  }

  waitReady(): Promise<void> {
    return this.cell.waitReady();
  }

  private get st(): BackendStatus {
    return this.cell.current;
  }
  private set(patch: Partial<BackendStatus>) {
    this.cell.set(patch);
  }

  /** Spawns `vllm serve` and returns once the process is up; readiness continues in the background. */
  async start(req: StartRequest): Promise<BackendStatus> {
    const s = this.st.state;
    if (s === 'starting' || s === 'loading' || s === 'stopping') throw new AppError('BACKEND_BUSY', { state: s });
    if (s === 'ready') await this.stop();
    await this.reapStale();
    const plan = req.vllm?.plan;
    const runId = this.st.runId + 1;
    const refuse = (error: AppError): never => {
      this.exit = { kind: 'not-started', error };
      this.set({
        ...idle(runId),
        state: 'crashed',
        error: error.toInfo(),
        model: req.model,
        options: req.options,
      });
      throw error;
    };
    if (!plan) return refuse(new AppError('INVALID_PARAMS', { issues: 'a vLLM start needs its plan' }));
    if (!plan.install) return refuse(new AppError('VLLM_NOT_FOUND'));
    const apiKey = randomBytes(24).toString('base64url');
    this.tail = [];
    this.exit = null;
    let first: VllmSpawn;
    try {
      first = vllmSpawn(plan, req.options, 1, apiKey, this.deps.env ?? process.env);
    } catch (e) {
      return refuse(e instanceof AppError ? e : new AppError('INTERNAL', { reason: String(e) }));
    }
    this.set({
      ...idle(runId),
      state: 'starting',
      phase: 'spawning',
      model: req.model,
      options: req.options,
      startedAt: this.now(),
      binaryPath: first.exe,
      target: first.target,
    });
    this.note(`starting vLLM (${plan.install.id}) for ${plan.model.path}`);
    void this.run(req, runId, apiKey);
    return this.st;
  }

  private async run(req: StartRequest, runId: number, apiKey: string, attempt = 1): Promise<void> {
    const plan = req.vllm!.plan;
    const port = await this.deps.pickPort();
    if (this.st.runId !== runId || this.st.state === 'stopping' || this.st.state === 'stopped') return;
    let launch: VllmSpawn;
    try {
      launch = vllmSpawn(plan, req.options, port, apiKey, this.deps.env ?? process.env);
    } catch (e) {
      const error = e instanceof AppError ? e : new AppError('INTERNAL', { reason: String(e) });
      return this.fail(runId, { kind: 'not-started', error });
    }
    // The key is in the environment, never in argv: this line shows exactly what the process list shows.
    this.note(`${launch.exe} ${launch.args.join(' ')}`);
    let child: ChildProcess;
    try {
      child = spawnGroup(this.deps.spawn, launch.exe, launch.args, launch.env, process.platform, launch.stdinStop);
    } catch (e) {
      const error = new AppError('VLLM_NOT_FOUND', undefined, String(e));
      return this.fail(runId, { kind: 'not-started', error });
    }
    this.child = child;
    this.port = port;
    const baseUrl = `http://127.0.0.1:${port}`;
    this.serving = {
      endpoint: {
        baseUrl,
        apiKey,
        model: launch.servedName,
        ...(launch.maxNumSeqs !== undefined ? { slots: launch.maxNumSeqs } : {}),
      },
      capabilities: vllmCapabilities(plan, baseUrl),
    };
    this.set({ pid: child.pid ?? null, phase: 'loading', state: 'loading', progress: 0 });
    let written: Promise<void> = Promise.resolve();
    if (child.pid) {
      written = writeVllmPidFile(this.deps.runDir, child.pid).catch(() => undefined);
      if (this.deps.watchdog !== false)
        this.watchdogChild = startWatchdog(this.deps.spawn, child.pid, this.deps.killGraceMs ?? 10_000);
    }

    let progress = initialVllmProgress();
    let progressAt = this.now();
    let outputAt = progressAt;
    let exitedFlag = false;
    const onLine = (stream: 'stdout' | 'stderr') =>
      crLineSplitter((line) => {
        outputAt = this.now();
        this.log.push(stream, line);
        this.tail.push(line);
        if (this.tail.length > 300) this.tail.splice(0, this.tail.length - 300);
        const next = applyVllmLine(progress, line);
        if (next === progress) return;
        progressAt = outputAt;
        progress = next;
        if (this.st.runId === runId && this.st.state === 'loading') {
          const p = Math.min(0.99, next.progress);
          const phase = statusPhase(next);
          if (p !== this.st.progress || phase !== this.st.phase) this.set({ progress: p, phase });
        }
      });
    child.stdout!.on('data', onLine('stdout'));
    child.stderr!.on('data', onLine('stderr'));

    this.exited = new Promise<void>((resolve) => {
      const gone = () => {
        exitedFlag = true;
        endWatchdog(this.watchdogChild);
        this.watchdogChild = null;
        if (this.child === child) {
          this.child = null;
          this.port = null;
        }
      };
      child.once('error', (err) => {
        if (exitedFlag) return;
        gone();
        const error = new AppError('VLLM_NOT_FOUND', undefined, `${launch.exe}: ${err.message}`);
        this.fail(runId, { kind: 'not-started', error });
        resolve();
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (exitedFlag) return;
        gone();
        const pid = child.pid;
        const removed = pid
          ? written.then(() => removeVllmPidFile(this.deps.runDir, pid)).catch(() => undefined)
          : Promise.resolve();
        this.note(`vLLM exited (${signal ? `signal ${signal}` : `code ${code}`})`);
        const c = classifyVllmExit(this.tail, { code, signal });
        const state = this.st.runId === runId ? this.st.state : null;
        const outcome = exitOutcome({ state, bindFailed: c.reason === 'port-in-use', attempt });
        if (outcome.kind === 'stopped') this.set({ ...idle(runId) });
        else if (outcome.kind === 'retry-port') {
          this.note(`port ${port} was taken, retrying on another port`);
          this.tail = [];
          void this.run(req, runId, apiKey, attempt + 1);
        } else if (outcome.kind === 'crashed') {
          const error = vllmExitError(c, outcome.phase, signal, plan.model.path, this.tail);
          this.fail(runId, { kind: 'exited', phase: outcome.phase, code, signal, error });
        }
        // stop() returns once the pid file is gone too.
        void removed.then(resolve);
      };
      child.once('exit', (code, signal) => {
        // Its EngineCore and workers must not outlive it (they also hold its output pipes open).
        killGroupRest(child.pid);
        // 'close' follows once both pipes are drained, so the tail is complete for the classifier; a pipe held by
        // something outside the group must not keep the run from ending.
        setTimeout(() => finish(code, signal), 2000).unref();
      });
      child.once('close', (code, signal) => finish(code, signal));
    });

    await this.waitUntilReady(child, runId, port, apiKey, launch.servedName, {
      exited: () => exitedFlag,
      progressAt: () => progressAt,
      outputAt: () => outputAt,
    });
  }

  private async waitUntilReady(
    child: ChildProcess,
    runId: number,
    port: number,
    apiKey: string,
    servedName: string,
    t: { exited: () => boolean; progressAt: () => number; outputAt: () => number },
  ): Promise<void> {
    const interval = this.deps.healthIntervalMs ?? 500;
    const stallMs = this.deps.stallMs ?? 300_000;
    const current = () => this.st.runId === runId && this.st.state === 'loading' && this.child === child;
    while (current() && !t.exited()) {
      // Nothing listens until the model is loaded: connection refused is the normal answer meanwhile.
      const health = await probeVllmHealth(this.deps.fetch, port);
      if (!current()) break;
      const verdict = readiness({
        health,
        exited: t.exited(),
        progressAt: t.progressAt(),
        outputAt: t.outputAt(),
        now: this.now(),
        stallMs,
      });
      if (verdict === 'failed') break;
      if (verdict === 'ready') {
        const models = await vllmModelsReady(this.deps.fetch, port, apiKey, servedName, this.st.model?.path ?? '');
        if (!current()) break;
        if (models instanceof AppError) {
          this.fail(runId, { kind: 'exited', phase: 'loading', code: null, signal: null, error: models });
          await this.killChild(child);
          break;
        }
        if (models) {
          this.set({ state: 'ready', phase: 'ready', progress: 1, readyAt: this.now() });
          this.note(`ready on 127.0.0.1:${port} after ${this.now() - (this.st.startedAt ?? this.now())} ms`);
          break;
        }
      }
      if (verdict === 'stalled') {
        this.note(`no log line for ${Math.round(stallMs / 1000)} s, stopping vLLM`);
        const error = new AppError(
          'BACKEND_LOAD_TIMEOUT',
          { seconds: Math.round(stallMs / 1000) },
          this.tail.slice(-40).join('\n'),
        );
        this.fail(runId, { kind: 'stalled', error });
        await this.killChild(child);
        break;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  private fail(runId: number, exit: Failure) {
    if (this.st.runId !== runId) return;
    this.note(`error ${exit.error.code}: ${exit.error.message}`);
    this.exit = exit;
    this.serving = null;
    this.set({ state: 'crashed', error: exit.error.toInfo(), phase: null, progress: null, pid: null });
  }

  /** SIGTERM to the group (vLLM shuts its engine down), SIGKILL to the group after the grace period. */
  async stop(): Promise<BackendStatus> {
    const child = this.child;
    if (!child) {
      this.set({ ...idle(this.st.runId) });
      return this.st;
    }
    this.exit = { kind: 'stopped' };
    this.serving = null;
    this.set({ state: 'stopping', phase: null });
    await this.killChild(child);
    if (this.st.state === 'stopping') this.set({ ...idle(this.st.runId) });
    return this.st;
  }

  private async killChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) {
      await this.exited;
      return;
    }
    // Inside WSL2 the shell there ends vLLM's group when its stdin closes; elsewhere SIGTERM to the group.
    if (child.stdin) child.stdin.end();
    else signalTree(this.deps.spawn, child, 'SIGTERM');
    const timer = setTimeout(() => signalTree(this.deps.spawn, child, 'SIGKILL'), this.deps.killGraceMs ?? 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    endWatchdog(this.watchdogChild);
  }
}
