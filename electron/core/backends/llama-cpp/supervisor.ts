/**
 * The llama-cpp backend: supervises one llama-server child, stopped → starting → loading → ready → stopping →
 * stopped, or crashed with a typed reason. We run it the way llama.cpp's own router runs its children
 * (LLAMA_SERVER_ROUTER_PORT set): it then reports load progress as `cmd_child_to_router:state:{json}` lines on
 * stdout and exits when its stdin closes, so a killed app cannot leave it behind. Readiness polls /health (503 while
 * loading) and asks readiness.ts: ready, still loading, stalled (no progress nor output for too long), or exited.
 * The protocol itself (state lines, /health, the exit command) is router-child.ts.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { BackendStatus, LogLine } from '../../../shared/schemas';
import { writeFileAtomic } from '../../util/atomic-write';
import { lineSplitter } from '../../util/lines';
import type { Backend, BackendCapabilities, BackendExit, Endpoint, Health, StartRequest } from '../backend';
import { BackendLog } from '../backend-log';
import { idleStatus } from '../../../shared/idle-status';
import { StatusCell } from '../status-cell';
import { readiness } from '../readiness';
import { removeBackendPidFile, writeBackendPidFile } from './backend-pidfile';
import { exitOutcome } from './exit-outcome';
import { backendEnv, buildLlamaServerArgs, llamaCapabilities, resolveParallel } from './llama-args';
import { parseRouterState, probeHealth, spawnRouterChild, STATE_PREFIX, stopChild } from './router-child';
import { classifiedToError, classifyExit, isBindFailure, parseListening } from './stderr-classifier';

export interface LlamaCppDeps {
  spawn: typeof spawnFn;
  fetch: typeof fetch;
  /** A free loopback port for each spawn (util/free-port.ts in the app; a test can hand out a taken one). */
  pickPort: () => Promise<number>;
  /** The llama-server to run (settings, then the environment, then the bundled build: binaries.ts). */
  binaryPath: () => Promise<string>;
  /** Where the API key file and pid file live (inside the data dir). */
  runDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Load is declared stalled after this long without progress or output. */
  stallMs?: number;
  healthIntervalMs?: number;
  killGraceMs?: number;
  logCapacity?: number;
  /** One log shared by every backend kind (the kind router passes it), so the Logs page shows one sequence. */
  log?: BackendLog;
}

type Failure = Exclude<BackendExit, { kind: 'stopped' }>;

/** A stopped llama-cpp status (backends/idle-status.ts; the other kinds pass their own `kind`). */
export const idle = idleStatus;

export class LlamaCppBackend implements Backend {
  readonly kind = 'llama-cpp';
  private readonly cell = new StatusCell(idle(0));
  private child: ChildProcess | null = null;
  /** The current spawn's port (health checks) and what it serves once ready. */
  private port: number | null = null;
  private serving: { endpoint: Endpoint; capabilities: BackendCapabilities } | null = null;
  private exit: BackendExit | null = null;
  private readonly log: BackendLog;
  /** The current run's output, for the crash reason. */
  private tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: LlamaCppDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? new BackendLog(deps.logCapacity ?? 2000, this.now);
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
    return this.child && this.port !== null ? probeHealth(this.deps.fetch, this.port) : Promise.resolve('unreachable');
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

  /** A line of llama-server's own output: logged, and kept for the crash reason. */
  private output(stream: 'stdout' | 'stderr', text: string) {
    this.log.push(stream, text);
    this.tail.push(text);
    if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
  }

  /** Spawns llama-server and returns once the process is up; readiness continues in the background. */
  async start(req: StartRequest): Promise<BackendStatus> {
    const s = this.st.state;
    if (s === 'starting' || s === 'loading' || s === 'stopping') throw new AppError('BACKEND_BUSY', { state: s });
    if (s === 'ready') await this.stop();

    const binaryPath = await this.deps.binaryPath();
    try {
      await fs.access(binaryPath);
    } catch {
      const error = new AppError('BACKEND_BINARY_MISSING', { path: binaryPath });
      this.exit = { kind: 'not-started', error };
      this.set({
        ...idle(this.st.runId + 1),
        state: 'crashed',
        error: error.toInfo(),
        model: req.model,
        options: req.options,
      });
      throw error;
    }

    const runId = this.st.runId + 1;
    const apiKey = randomBytes(24).toString('base64url');
    const keyFile = path.join(this.deps.runDir, 'llama-server.key');
    await writeFileAtomic(keyFile, apiKey + '\n', 0o600);
    this.tail = [];
    this.exit = null;
    this.set({
      ...idle(runId),
      state: 'starting',
      phase: 'spawning',
      model: req.model,
      options: req.options,
      startedAt: this.now(),
      binaryPath,
      target: { kind: 'llama-cpp', rpcWorkers: req.options.rpcServers ?? [] },
    });
    this.note(`starting ${path.basename(binaryPath)} for ${req.model.path}`);
    void this.run({ ...req, binaryPath }, runId, apiKey, keyFile);
    return this.st;
  }

  private async run(
    req: StartRequest & { binaryPath: string },
    runId: number,
    apiKey: string,
    keyFile: string,
    attempt = 1,
  ): Promise<void> {
    const port = await this.deps.pickPort();
    let args: string[];
    try {
      args = buildLlamaServerArgs({
        modelPath: req.model.path,
        options: req.options,
        apiKeyFile: keyFile,
        port,
        alias: req.model.name,
      });
    } catch (e) {
      this.fail(runId, {
        kind: 'not-started',
        error: e instanceof AppError ? e : new AppError('INTERNAL', { reason: String(e) }),
      });
      return;
    }
    this.note(`${req.binaryPath} ${args.join(' ')}`);
    let child: ChildProcess;
    try {
      child = spawnRouterChild(this.deps.spawn, req.binaryPath, args, backendEnv(this.deps.env ?? process.env));
    } catch (e) {
      this.fail(runId, {
        kind: 'not-started',
        error: new AppError('BACKEND_BINARY_MISSING', { path: req.binaryPath }, String(e)),
      });
      return;
    }
    this.child = child;
    this.port = port;
    const baseUrl = `http://127.0.0.1:${port}`;
    this.serving = {
      endpoint: { baseUrl, apiKey, slots: resolveParallel(req.options) },
      capabilities: llamaCapabilities(args, baseUrl),
    };
    this.set({ pid: child.pid ?? null, phase: 'loading', state: 'loading', progress: 0 });
    void this.writePidFile(child.pid);

    // The stall timer's inputs (readiness.ts): the spawn counts as progress and as output.
    let progressAt = this.now();
    let outputAt = progressAt;
    let exitedFlag = false;
    let bindFailed = false;
    child.stdout!.on(
      'data',
      lineSplitter((line) => {
        if (line.startsWith(STATE_PREFIX)) {
          outputAt = this.now();
          if (this.onChildState(runId, line.slice(STATE_PREFIX.length))) progressAt = outputAt;
        } else if (line.trim()) this.output('stdout', line);
      }),
    );
    child.stderr!.on(
      'data',
      lineSplitter((line) => {
        if (!line.trim()) return;
        outputAt = this.now();
        if (isBindFailure(line)) bindFailed = true;
        this.output('stderr', line);
        const listening = parseListening(line);
        if (listening && this.st.runId === runId && this.st.state === 'loading') this.set({ phase: 'warming' });
      }),
    );

    const gone = () => {
      exitedFlag = true;
      if (this.child === child) {
        this.child = null;
        this.port = null;
      }
    };
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (exitedFlag) return;
        gone();
        this.fail(runId, {
          kind: 'not-started',
          error: new AppError('BACKEND_BINARY_MISSING', { path: req.binaryPath }, err.message),
        });
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (exitedFlag) return;
        gone();
        if (child.pid) void this.removePidFile(child.pid);
        this.note(`llama-server exited (${signal ? `signal ${signal}` : `code ${code}`})`);
        const outcome = exitOutcome({ state: this.st.runId === runId ? this.st.state : null, bindFailed, attempt });
        // ('ignore': the run already failed, or a later one has begun.)
        if (outcome.kind === 'stopped') this.set({ ...idle(runId) });
        else if (outcome.kind === 'retry-port') {
          this.note(`port ${port} was taken, retrying on another port`);
          void this.run(req, runId, apiKey, keyFile, attempt + 1);
        } else if (outcome.kind === 'crashed') {
          const { phase } = outcome;
          const error = classifiedToError(classifyExit(this.tail, { code, signal }, phase), req.model.path, this.tail);
          this.fail(runId, { kind: 'exited', phase, code, signal, error });
        }
        resolve();
      });
    });

    const interval = this.deps.healthIntervalMs ?? 250;
    const stallMs = this.deps.stallMs ?? 180_000;
    const current = () => this.st.runId === runId && this.st.state === 'loading';
    while (current() && !exitedFlag) {
      const health = await probeHealth(this.deps.fetch, port);
      if (!current()) break;
      const verdict = readiness({ health, exited: exitedFlag, progressAt, outputAt, now: this.now(), stallMs });
      // 'failed': the exit handler reports why (or retries on another port).
      if (verdict === 'failed') break;
      if (verdict === 'ready') {
        this.set({ state: 'ready', phase: 'ready', progress: 1, readyAt: this.now() });
        this.note(`ready on 127.0.0.1:${port} after ${this.now() - (this.st.startedAt ?? this.now())} ms`);
        break;
      }
      if (verdict === 'stalled') {
        this.note(`no load progress for ${Math.round(stallMs / 1000)} s, stopping llama-server`);
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

  /** A router state line; true when it moved the load progress. */
  private onChildState(runId: number, json: string): boolean {
    if (this.st.runId !== runId) return false;
    const progress = parseRouterState(json);
    if (progress === undefined) this.output('stdout', STATE_PREFIX + json);
    if (progress == null || this.st.state !== 'loading') return false;
    const moved = progress !== this.st.progress;
    this.set({ progress, phase: progress >= 1 ? 'warming' : 'loading' });
    return moved;
  }

  private fail(runId: number, exit: Failure) {
    if (this.st.runId !== runId) return;
    this.note(`error ${exit.error.code}: ${exit.error.message}`);
    this.exit = exit;
    this.serving = null;
    this.set({ state: 'crashed', error: exit.error.toInfo(), phase: null, progress: null, pid: null });
  }

  /** Graceful stop: SIGTERM (llama-server finishes cleanly), then SIGKILL after the grace period. */
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

  private killChild(child: ChildProcess) {
    return stopChild(child, this.exited, this.deps.killGraceMs ?? 5000);
  }

  /** Records the backend with us as its owner, so a later start ends it only if we are gone (backend-pidfile.ts). */
  private async writePidFile(pid: number | undefined) {
    if (!pid) return;
    await writeBackendPidFile(this.deps.runDir, pid).catch(() => undefined);
  }
  private async removePidFile(pid: number) {
    await removeBackendPidFile(this.deps.runDir, pid).catch(() => undefined);
  }

  /** For app exit: stop without waiting for the grace period to matter more than needed. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
  }
}
