/**
 * Supervises the Ray head on this machine: `ray start --head … --block` (ray-args.ts) run with the chosen vLLM
 * install's Python environment, in its own process group so stopping it ends the raylet and GCS it started too
 * (SIGTERM, then SIGKILL after a grace period). Running once Ray prints "Ray runtime started"; the address workers
 * join is the one Ray prints (`ray start --address='IP:PORT'`). Exiting on its own is RAY_FAILED with its last line.
 * Inside WSL2 (an install whose command goes through wsl.exe) it runs under the same shell as vLLM there
 * (launch.ts WSL_RUN_SCRIPT): ending wsl.exe would leave Ray's Linux processes behind, so stop closes the shell's
 * stdin and the shell ends Ray's group.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';
import type { RayHeadStatus } from '../../../shared/backends';
import { AppError } from '../../../shared/errors';
import { lineSplitter } from '../../util/lines';
import { wslEnv } from './detect-plan';
import { isWslCommand, wslRunCommand } from './launch';
import { endWatchdog, killGroupRest, signalTree, spawnGroup, startWatchdog } from './process-tree';
import { rayHeadArgs, RAY_DEFAULT_PORT } from './ray-args';

export interface RayHeadDeps {
  spawn: typeof spawnFn;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  emit: (s: RayHeadStatus) => void;
  graceMs?: number;
  startTimeoutMs?: number;
}

export interface RayHeadStart {
  /** The `ray` CLI argv prefix (rayCommandFor the install). */
  ray: string[];
  gpus: number;
  port?: number;
}

const STARTED = /Ray runtime started/i;
const ADDRESS = /--address=['"]?([A-Za-z0-9.:[\]-]{3,300})['"]?/;
const printable = (s: string) => s.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '').slice(0, 400);

export class RayHead {
  private st: RayHeadStatus = { state: 'stopped', address: null, pid: null, error: null };
  private child: ChildProcess | null = null;
  private watchdog: ChildProcess | null = null;
  private stopping = false;
  private lastLine = '';
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly d: RayHeadDeps) {}

  status(): RayHeadStatus {
    return { ...this.st };
  }

  private set(s: Partial<RayHeadStatus>) {
    this.st = { ...this.st, ...s };
    try {
      this.d.emit(this.status());
    } catch {
      /* a listener's failure is not the head's */
    }
  }

  /** Starts the head (or returns the running one); resolves once it runs, failed, or the start timed out. */
  async start(o: RayHeadStart): Promise<RayHeadStatus> {
    if (this.child) return this.status();
    const port = o.port ?? RAY_DEFAULT_PORT;
    const inWsl = isWslCommand(o.ray);
    const [exe, ...pre] = inWsl ? wslRunCommand(o.ray, 'deeplocal-ray') : o.ray;
    if (!exe) return this.fail('no ray command');
    this.stopping = false;
    this.lastLine = '';
    this.set({ state: 'starting', address: null, pid: null, error: null });
    let child: ChildProcess;
    try {
      const env = { ...this.d.env, PYTHONUNBUFFERED: '1' };
      child = spawnGroup(
        this.d.spawn,
        exe,
        [...pre, ...rayHeadArgs({ gpus: o.gpus, port })],
        inWsl ? wslEnv(env, ['PYTHONUNBUFFERED']) : env,
        process.platform,
        inWsl,
      );
    } catch (e) {
      return this.fail((e as Error).message);
    }
    this.child = child;
    if (child.pid) this.watchdog = startWatchdog(this.d.spawn, child.pid, this.d.graceMs ?? 5000, { env: this.d.env });
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    // Ray prints "Ray runtime started." and then the join command with the address; running once both came (or a
    // moment after the first, with loopback as the address).
    let started = false;
    let address: string | null = null;
    let settle: NodeJS.Timeout | null = null;
    const running = () => {
      if (settle) clearTimeout(settle);
      if (this.st.state !== 'starting' || this.child !== child) return;
      this.set({ state: 'running', pid: child.pid ?? null, address: address ?? `127.0.0.1:${port}` });
      resolveReady();
    };
    const onLine = (line: string) => {
      const l = printable(line).trim();
      if (!l) return;
      this.lastLine = l;
      this.d.log(`ray: ${l}`);
      const a = ADDRESS.exec(l);
      if (a) {
        address ??= a[1]!;
        if (started) running();
      }
      if (STARTED.test(l) && !started) {
        started = true;
        if (address) running();
        else settle = setTimeout(running, 1000);
      }
    };
    child.stdout?.on('data', lineSplitter(onLine));
    child.stderr?.on('data', lineSplitter(onLine));
    this.exited = new Promise<void>((res) => {
      child.on('error', (e) => {
        this.lastLine = e.message;
      });
      child.on('close', (code, signal) => {
        if (settle) clearTimeout(settle);
        killGroupRest(child.pid);
        endWatchdog(this.watchdog);
        this.watchdog = null;
        this.child = null;
        if (this.stopping) this.set({ state: 'stopped', pid: null, address: null, error: null });
        else
          this.set({
            state: 'failed',
            pid: null,
            error: new AppError('RAY_FAILED', {
              reason: `${this.lastLine || 'ray exited'} (${signal ?? `exit code ${code}`})`,
            }).toInfo(),
          });
        resolveReady();
        res();
      });
    });
    const timer = setTimeout(resolveReady, this.d.startTimeoutMs ?? 60_000);
    await ready;
    clearTimeout(timer);
    if (this.st.state === 'starting') {
      await this.stop();
      return this.fail(`no "Ray runtime started" within ${Math.round((this.d.startTimeoutMs ?? 60_000) / 1000)} s`);
    }
    return this.status();
  }

  private fail(reason: string): RayHeadStatus {
    this.set({ state: 'failed', pid: null, error: new AppError('RAY_FAILED', { reason }).toInfo() });
    return this.status();
  }

  /**
   * SIGTERM to the group (inside WSL2: the shell's stdin closed, so it ends Ray's group there), SIGKILL after the
   * grace period; resolves when it exited.
   */
  async stop(): Promise<RayHeadStatus> {
    const child = this.child;
    if (!child) {
      if (this.st.state !== 'failed') this.set({ state: 'stopped', pid: null, address: null, error: null });
      return this.status();
    }
    this.stopping = true;
    if (child.stdin) child.stdin.end();
    else signalTree(this.d.spawn, child, 'SIGTERM');
    const kill = setTimeout(() => signalTree(this.d.spawn, child, 'SIGKILL'), this.d.graceMs ?? 5000);
    await this.exited;
    clearTimeout(kill);
    return this.status();
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
