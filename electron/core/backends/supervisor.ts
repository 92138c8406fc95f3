/**
 * Supervises one llama-server child: stopped → starting → loading → ready → stopping → stopped, or crashed with a
 * typed reason. We run it the way llama.cpp's own router runs its children (LLAMA_SERVER_ROUTER_PORT set): it then
 * reports load progress as `cmd_child_to_router:state:{json}` lines on stdout and exits when its stdin closes, so
 * a killed app cannot leave it behind. Readiness is still decided by polling /health (503 while loading), with a
 * stall timer that resets whenever load progress moves, and fails fast when the process exits.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { BackendStatus, LoadOptions, LogLine, ModelFileInfo } from '../../shared/schemas';
import { writeFileAtomic } from '../util/atomic-write';
import { lineSplitter } from '../util/lines';
import { RingBuffer } from '../util/ring-buffer';
import { removeBackendPidFile, writeBackendPidFile } from './backend-pidfile';
import { backendEnv, buildLlamaServerArgs } from './llama-args';
import { classifiedToError, classifyExit, parseListening } from './stderr-classifier';

export interface SupervisorDeps {
  spawn: typeof spawnFn;
  fetch: typeof fetch;
  pickPort: () => Promise<number>;
  /** Where the API key file and pid file live (inside the data dir). */
  runDir: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Load is declared stalled after this long without progress or output. */
  stallMs?: number;
  healthIntervalMs?: number;
  killGraceMs?: number;
  logCapacity?: number;
}

export interface StartRequest {
  binaryPath: string;
  model: ModelFileInfo;
  options: LoadOptions;
}

export interface Endpoint {
  baseUrl: string;
  apiKey: string;
  /** Parallel slots (-np): how many requests it generates for at once (sizes the backend gate). */
  slots?: number;
}

const STATE_PREFIX = 'cmd_child_to_router:state:';
const EXIT_COMMAND = 'cmd_router_to_child:exit\n';
const PORT_RETRIES = 3;

const idle = (runId: number, extra: Partial<BackendStatus> = {}): BackendStatus => ({
  state: 'stopped',
  seq: 0,
  runId,
  model: null,
  options: null,
  progress: null,
  phase: null,
  pid: null,
  startedAt: null,
  readyAt: null,
  error: null,
  binaryPath: null,
  ...extra,
});

export class LlamaServerSupervisor {
  private st: BackendStatus = idle(0);
  private child: ChildProcess | null = null;
  private endpointValue: Endpoint | null = null;
  private readonly logs: RingBuffer<LogLine>;
  private logSeq = 0;
  private tail: string[] = [];
  private readonly statusListeners = new Set<(s: BackendStatus) => void>();
  private readonly logListeners = new Set<(l: LogLine) => void>();
  private readyWaiters: { resolve: () => void; reject: (e: AppError) => void }[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: SupervisorDeps) {
    this.now = deps.now ?? Date.now;
    this.logs = new RingBuffer<LogLine>(deps.logCapacity ?? 2000);
  }

  status(): BackendStatus {
    return this.st;
  }
  endpoint(): Endpoint | null {
    return this.st.state === 'ready' ? this.endpointValue : null;
  }
  recentLogs(limit?: number): LogLine[] {
    return this.logs.last(limit);
  }
  onStatus(l: (s: BackendStatus) => void): () => void {
    this.statusListeners.add(l);
    return () => void this.statusListeners.delete(l);
  }
  onLog(l: (line: LogLine) => void): () => void {
    this.logListeners.add(l);
    return () => void this.logListeners.delete(l);
  }

  /** Resolves when the current run is ready; rejects with the crash reason. */
  waitReady(): Promise<void> {
    if (this.st.state === 'ready') return Promise.resolve();
    if (this.st.state === 'crashed' || this.st.state === 'stopped') {
      return Promise.reject(this.st.error ? AppError.from(this.st.error) : new AppError('BACKEND_NOT_READY'));
    }
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private seq = 0;
  private set(patch: Partial<BackendStatus>) {
    this.st = { ...this.st, ...patch, seq: ++this.seq };
    for (const l of this.statusListeners) l(this.st);
    if (this.st.state === 'ready') this.settleWaiters(null);
    else if (this.st.state === 'crashed' || this.st.state === 'stopped') {
      this.settleWaiters(this.st.error ? AppError.from(this.st.error) : new AppError('BACKEND_NOT_READY'));
    }
  }

  private settleWaiters(err: AppError | null) {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  log(stream: LogLine['stream'], text: string) {
    const line: LogLine = { seq: ++this.logSeq, ts: this.now(), stream, text };
    this.logs.push(line);
    if (stream !== 'app') {
      this.tail.push(text);
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    }
    for (const l of this.logListeners) l(line);
  }

  /** Spawns llama-server and returns once the process is up; readiness continues in the background. */
  async start(req: StartRequest): Promise<BackendStatus> {
    const s = this.st.state;
    if (s === 'starting' || s === 'loading' || s === 'stopping') throw new AppError('BACKEND_BUSY', { state: s });
    if (s === 'ready') await this.stop();

    try {
      await fs.access(req.binaryPath);
    } catch {
      const error = new AppError('BACKEND_BINARY_MISSING', { path: req.binaryPath });
      this.set({ ...idle(this.st.runId + 1), state: 'crashed', error: error.toInfo(), model: req.model, options: req.options });
      throw error;
    }

    const runId = this.st.runId + 1;
    const apiKey = randomBytes(24).toString('base64url');
    const keyFile = path.join(this.deps.runDir, 'llama-server.key');
    await writeFileAtomic(keyFile, apiKey + '\n', 0o600);
    this.tail = [];
    this.set({
      ...idle(runId),
      state: 'starting',
      phase: 'spawning',
      model: req.model,
      options: req.options,
      startedAt: this.now(),
      binaryPath: req.binaryPath,
    });
    this.log('app', `starting ${path.basename(req.binaryPath)} for ${req.model.path}`);
    void this.run(req, runId, apiKey, keyFile);
    return this.st;
  }

  private async run(req: StartRequest, runId: number, apiKey: string, keyFile: string, attempt = 1): Promise<void> {
    const port = await this.deps.pickPort();
    let args: string[];
    try {
      args = buildLlamaServerArgs({ modelPath: req.model.path, options: req.options, apiKeyFile: keyFile, port, alias: req.model.name });
    } catch (e) {
      this.crash(runId, e instanceof AppError ? e : new AppError('INTERNAL', { reason: String(e) }));
      return;
    }
    this.log('app', `${req.binaryPath} ${args.join(' ')}`);
    let child: ChildProcess;
    try {
      child = this.deps.spawn(req.binaryPath, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...backendEnv(this.deps.env ?? process.env), LLAMA_SERVER_ROUTER_PORT: '0' },
        windowsHide: true,
      });
    } catch (e) {
      this.crash(runId, new AppError('BACKEND_BINARY_MISSING', { path: req.binaryPath }, String(e)));
      return;
    }
    this.child = child;
    this.endpointValue = { baseUrl: `http://127.0.0.1:${port}`, apiKey, slots: req.options.parallel };
    this.set({ pid: child.pid ?? null, phase: 'loading', state: 'loading', progress: 0 });
    void this.writePidFile(child.pid);

    let lastActivity = this.now();
    let exitedFlag = false;
    let bindFailed = false;
    child.stdout!.on(
      'data',
      lineSplitter((line) => {
        if (line.startsWith(STATE_PREFIX)) {
          lastActivity = this.now();
          this.onChildState(runId, line.slice(STATE_PREFIX.length));
        } else if (line.trim()) this.log('stdout', line);
      }),
    );
    child.stderr!.on(
      'data',
      lineSplitter((line) => {
        if (!line.trim()) return;
        lastActivity = this.now();
        if (/couldn't bind|failed to bind|address already in use/i.test(line)) bindFailed = true;
        this.log('stderr', line);
        const listening = parseListening(line);
        if (listening && this.st.runId === runId && this.st.state === 'loading') this.set({ phase: 'warming' });
      }),
    );
    // A closed stdin is how llama-server learns we are gone; writes after its exit must not crash us.
    child.stdin!.on('error', () => undefined);

    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (exitedFlag) return;
        exitedFlag = true;
        this.child = null;
        this.crash(runId, new AppError('BACKEND_BINARY_MISSING', { path: req.binaryPath }, err.message));
        resolve();
      });
      child.once('exit', (code, signal) => {
        if (exitedFlag) return;
        exitedFlag = true;
        if (this.child === child) this.child = null;
        if (child.pid) void this.removePidFile(child.pid);
        const stateAtExit = this.st.runId === runId ? this.st.state : 'stopped';
        this.log('app', `llama-server exited (${signal ? `signal ${signal}` : `code ${code}`})`);
        if (stateAtExit === 'crashed') {
          // Already failed (stall timeout); the exit we caused is not the reason.
        } else if (stateAtExit === 'stopping' || this.st.runId !== runId) {
          if (this.st.runId === runId) this.set({ ...idle(runId) });
        } else if (bindFailed && stateAtExit === 'loading' && attempt < PORT_RETRIES) {
          // Someone took the port between our probe and its bind: try another one.
          this.log('app', `port ${port} was taken, retrying on another port`);
          void this.run(req, runId, apiKey, keyFile, attempt + 1);
        } else {
          const classified = classifyExit(this.tail, { code, signal }, stateAtExit === 'ready' ? 'running' : 'loading');
          this.crash(runId, classifiedToError(classified, req.model.path, this.tail));
        }
        resolve();
      });
    });

    // Readiness: poll /health until 200, fail on stall.
    const interval = this.deps.healthIntervalMs ?? 250;
    const stallMs = this.deps.stallMs ?? 180_000;
    let lastProgress = this.st.progress;
    while (!exitedFlag && this.st.runId === runId && this.st.state === 'loading') {
      const ok = await this.probeHealth(port);
      if (ok && this.st.runId === runId && this.st.state === 'loading' && !exitedFlag) {
        this.set({ state: 'ready', phase: 'ready', progress: 1, readyAt: this.now() });
        this.log('app', `ready on 127.0.0.1:${port} after ${this.now() - (this.st.startedAt ?? this.now())} ms`);
        break;
      }
      if (this.st.progress !== lastProgress) {
        lastProgress = this.st.progress;
        lastActivity = this.now();
      }
      if (this.now() - lastActivity > stallMs) {
        this.log('app', `no load progress for ${Math.round(stallMs / 1000)} s, stopping llama-server`);
        const err = new AppError('BACKEND_LOAD_TIMEOUT', { seconds: Math.round(stallMs / 1000) }, this.tail.slice(-40).join('\n'));
        this.crash(runId, err);
        await this.killChild(child);
        break;
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  }

  private onChildState(runId: number, json: string) {
    if (this.st.runId !== runId) return;
    try {
      const msg = JSON.parse(json) as { state?: string; payload?: { value?: number } };
      if (msg.state === 'loading' && typeof msg.payload?.value === 'number' && this.st.state === 'loading') {
        const progress = Math.max(0, Math.min(1, msg.payload.value));
        this.set({ progress, phase: progress >= 1 ? 'warming' : 'loading' });
      }
    } catch {
      this.log('stdout', STATE_PREFIX + json);
    }
  }

  private async probeHealth(port: number): Promise<boolean> {
    try {
      const res = await this.deps.fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer().catch(() => undefined);
      return res.status === 200;
    } catch {
      return false;
    }
  }

  private crash(runId: number, error: AppError) {
    if (this.st.runId !== runId) return;
    this.log('app', `error ${error.code}: ${error.message}`);
    this.set({ state: 'crashed', error: error.toInfo(), phase: null, progress: null, pid: null });
    this.endpointValue = null;
  }

  /** Graceful stop: SIGTERM (llama-server finishes cleanly), then SIGKILL after the grace period. */
  async stop(): Promise<BackendStatus> {
    const child = this.child;
    if (!child) {
      this.set({ ...idle(this.st.runId) });
      return this.st;
    }
    this.set({ state: 'stopping', phase: null });
    this.endpointValue = null;
    await this.killChild(child);
    if (this.st.state === 'stopping') this.set({ ...idle(this.st.runId) });
    return this.st;
  }

  private async killChild(child: ChildProcess) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = this.exited;
    try {
      child.stdin?.write(EXIT_COMMAND);
    } catch {
      /* already closed */
    }
    child.kill('SIGTERM');
    const grace = this.deps.killGraceMs ?? 5000;
    const timer = setTimeout(() => child.kill('SIGKILL'), grace);
    await exited;
    clearTimeout(timer);
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
