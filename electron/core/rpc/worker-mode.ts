/**
 * This machine as an RPC worker: runs the active runtime's ggml-rpc-server (beside its llama-server) and watches
 * it. No restarts: a worker that ends on its own is reported as failed with the reason (RPC_WORKER_MODE_FAILED);
 * stop() and dispose() end it (SIGTERM, then SIGKILL). Its pid goes to a pid file (deps.pidfile) so that the next
 * app start can end a worker left by a crashed app.
 *
 * On POSIX it runs under `sh -c 'trap "" PIPE; exec …'`: ggml-rpc-server does not ignore SIGPIPE, so a client that
 * vanished while it was answering (a llama-server killed mid-reply, a check that gave up) would kill it; an
 * ignored signal stays ignored across exec, and then that write just fails and it serves the next client.
 * It runs in its own process group with vLLM's watchdog (a /bin/sh holding a pipe from us, backends/vllm/process-tree.ts):
 * when the app dies without stopping it (killed, crashed), the pipe closes and the worker ends — an unauthenticated
 * worker must not outlive the app that showed its warning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { RpcWorkerMode, RpcWorkerModeSettings } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import { endWatchdog, startWatchdog } from '../backends/vllm/process-tree';
import { checkRpcWorker } from './protocol';
import { isBindableHost, isLoopback, workerAddresses, workerArgs, workerFailure, type Interfaces } from './worker-args';

export interface WorkerModeDeps {
  /** The active runtime's llama-server: ggml-rpc-server sits beside it. */
  serverPath: () => Promise<string>;
  /** LLAMA_CACHE for the worker (its -c cache goes to <cacheDir>/rpc/). */
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  onChange: (m: RpcWorkerMode) => void;
  note: (msg: string) => void;
  pidfile?: { write(pid: number): Promise<void>; remove(pid: number): Promise<void> };
  interfaces?: () => Interfaces;
  /** How long it may take to answer its first HELLO (Vulkan device set-up on a loaded machine). */
  readyTimeoutMs?: number;
  platform?: NodeJS.Platform;
}

const stopped = (s?: Partial<RpcWorkerModeSettings>): RpcWorkerMode => ({
  state: 'stopped',
  host: s?.host ?? '127.0.0.1',
  port: s?.port ?? 50052,
  addresses: [],
  exposed: false,
  devices: s?.devices ?? [],
  pid: null,
  error: null,
});

export function rpcServerPath(llamaServer: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(path.dirname(llamaServer), platform === 'win32' ? 'ggml-rpc-server.exe' : 'ggml-rpc-server');
}

/** Whether host:port can be listened on now (ready is judged by a HELLO answer, which another worker could give). */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export class RpcWorkerSupervisor {
  private st: RpcWorkerMode = stopped();
  private child: ChildProcess | null = null;
  private lines: string[] = [];
  /** Bumped by every start/stop: an older run's exit changes nothing. */
  private gen = 0;

  constructor(private readonly deps: WorkerModeDeps) {}

  state(): RpcWorkerMode {
    return this.st;
  }

  /** Starts (or restarts with new settings); resolves running, or throws the typed reason (state failed). */
  async start(s: RpcWorkerModeSettings): Promise<RpcWorkerMode> {
    await this.stop();
    const gen = ++this.gen;
    const base = {
      ...stopped(s),
      exposed: !isLoopback(s.host),
      addresses: workerAddresses(s.host, s.port, (this.deps.interfaces ?? os.networkInterfaces)()),
    };
    const fail = (e: AppError): never => {
      if (gen === this.gen) this.set({ ...base, state: 'failed', error: e.toInfo() });
      throw e;
    };
    if (!isBindableHost(s.host)) fail(new AppError('RPC_BAD_ADDRESS', { address: `${s.host}:${s.port}` }));
    const bin = rpcServerPath(await this.deps.serverPath(), this.deps.platform);
    if (!fs.existsSync(bin)) fail(new AppError('RPC_NOT_BUILT', { path: bin }));
    if (!(await portFree(s.host, s.port)))
      fail(
        new AppError('RPC_WORKER_MODE_FAILED', {
          reason: workerFailure(['Failed to create server socket'], { code: 1, signal: null }),
        }),
      );
    this.set({ ...base, state: 'starting' });

    const args = workerArgs(s);
    const env = { ...this.deps.env, LLAMA_CACHE: this.deps.cacheDir };
    const posix = (this.deps.platform ?? process.platform) !== 'win32';
    const child = posix
      ? spawn('/bin/sh', ['-c', 'trap "" PIPE; exec "$0" "$@"', bin, ...args], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own group (the shell execs the worker: pgid = its pid), for the watchdog below.
          detached: true,
        })
      : spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    this.child = child;
    this.lines = [];
    const keep = (d: Buffer) => {
      for (const l of d.toString().split(/\r?\n/)) if (l.trim()) this.lines.push(l);
      if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let exited: { code: number | null; signal: string | null } | null = null;
    // A spawn that fails ('error' without 'exit': no binary, no permission) ends the wait too.
    const exit = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = { code, signal };
        resolve();
      });
      child.once('error', (e) => {
        exited ??= { code: null, signal: null };
        this.lines.push(`error: ${e.message}`);
        resolve();
      });
    });
    const watchdog = posix && child.pid ? startWatchdog(spawn, child.pid, 3000, { env: this.deps.env }) : null;
    void exit.then(() => {
      endWatchdog(watchdog);
      this.onExit(gen, child, exited!, base);
    });
    if (child.pid) await this.deps.pidfile?.write(child.pid).catch(() => undefined);

    // Ready when it answers HELLO itself (a port that accepts could be another program's).
    const probeHost = s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
    const deadline = Date.now() + (this.deps.readyTimeoutMs ?? 60_000);
    while (!exited && gen === this.gen) {
      const c = await checkRpcWorker(probeHost, s.port, { timeoutMs: 2000 });
      if (exited || gen !== this.gen) break;
      if (c.ok) {
        // devices: the ones named in the settings; empty = every device ggml-rpc-server picked itself.
        this.set({ ...base, state: 'running', pid: child.pid ?? null });
        this.deps.note(`RPC worker mode: ggml-rpc-server ${child.pid} serves ${base.addresses.join(', ')}`);
        return this.st;
      }
      if (Date.now() > deadline) {
        await this.kill(child, exit);
        fail(new AppError('RPC_WORKER_MODE_FAILED', { reason: `it did not answer in time (${c.error?.message})` }));
      }
      await Promise.race([exit, new Promise((r) => setTimeout(r, 250))]);
    }
    await exit;
    if (gen !== this.gen) return this.st;
    return fail(new AppError('RPC_WORKER_MODE_FAILED', { reason: workerFailure(this.lines, exited!) }));
  }

  async stop(): Promise<RpcWorkerMode> {
    this.gen++;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exit = new Promise<void>((r) => child.once('exit', () => r()));
      await this.kill(child, exit);
      this.deps.note(`RPC worker mode stopped (ggml-rpc-server ${child.pid})`);
    }
    if (this.st.state !== 'stopped') this.set({ ...stopped(this.st), host: this.st.host, port: this.st.port });
    return this.st;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }

  private async kill(child: ChildProcess, exit: Promise<void>) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* gone */
    }
    const timer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, 3000);
    await exit;
    clearTimeout(timer);
    if (child.pid) await this.deps.pidfile?.remove(child.pid).catch(() => undefined);
  }

  private onExit(
    gen: number,
    child: ChildProcess,
    how: { code: number | null; signal: string | null },
    base: RpcWorkerMode,
  ) {
    if (child.pid) void this.deps.pidfile?.remove(child.pid).catch(() => undefined);
    if (gen !== this.gen || this.st.state !== 'running') return;
    this.child = null;
    const reason = workerFailure(this.lines, how);
    this.deps.note(`RPC worker mode: ggml-rpc-server ${child.pid} ended: ${reason}`);
    this.set({ ...base, state: 'failed', error: new AppError('RPC_WORKER_MODE_FAILED', { reason }).toInfo() });
  }

  private set(m: RpcWorkerMode) {
    this.st = m;
    this.deps.onChange(m);
  }
}
