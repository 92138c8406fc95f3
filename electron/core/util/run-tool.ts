/**
 * Runs an external tool (nvidia-smi, amd-smi, llama-server --list-devices …) asynchronously with a deadline:
 * a hung tool is killed and reported as timed out, a missing one as missing. Never throws, never blocks the
 * event loop, and keeps at most `maxBytes` of each stream.
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface ToolResult {
  /** Exited by itself with code 0. Tools like nvidia-smi print errors with code 0 too: callers read the text. */
  ok: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The executable was not found (ENOENT) or could not be run (EACCES). */
  missing: boolean;
  /** Spawn error text, when there was one. */
  error: string | null;
  durationMs: number;
}

export interface RunToolOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  maxBytes?: number;
  spawn?: typeof nodeSpawn;
  /**
   * Start the tool in its own process group and kill the whole group on timeout (POSIX), for tools that run
   * helpers of their own (a Node child running systeminformation, which shells out).
   */
  killGroup?: boolean;
}

export type RunTool = (cmd: string, args: string[], opts?: RunToolOptions) => Promise<ToolResult>;

export const runTool: RunTool = (cmd, args, opts = {}) => {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? 4000;
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const group = !!opts.killGroup && process.platform !== 'win32';
  return new Promise<ToolResult>((resolve) => {
    let child: ChildProcess;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let settled = false;
    const finish = (patch: Partial<ToolResult>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        ok: false,
        code: null,
        signal: null,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        missing: false,
        error: null,
        durationMs: performance.now() - started,
        ...patch,
      });
    };
    try {
      child = (opts.spawn ?? nodeSpawn)(cmd, args, {
        env: opts.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
        detached: group,
      });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      resolve({
        ok: false,
        code: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        missing: true,
        error,
        durationMs: 0,
      });
      return;
    }
    const kill = () => {
      try {
        if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      // Some platforms never deliver 'close' for a killed process whose pipes a grandchild holds open.
      setTimeout(() => finish({}), 500).unref();
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (outBytes < maxBytes) out.push(d.subarray(0, maxBytes - outBytes));
      outBytes += d.length;
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (errBytes < maxBytes) err.push(d.subarray(0, maxBytes - errBytes));
      errBytes += d.length;
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      finish({ missing: e.code === 'ENOENT' || e.code === 'EACCES', error: e.message });
    });
    child.once('close', (code, signal) => {
      finish({ ok: !timedOut && code === 0, code, signal });
    });
  });
};

/** Where `name` would be found on PATH (with PATHEXT on Windows), or null. No process is spawned. */
export async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
): Promise<string | null> {
  const pathVar = env.PATH ?? env.Path ?? '';
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  const delimiter = platform === 'win32' ? ';' : ':';
  if (name.includes('/') || (platform === 'win32' && name.includes('\\')))
    return (await isRunnable(name, platform)) ? name : null;
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (await isRunnable(candidate, platform)) return candidate;
    }
  }
  return null;
}

async function isRunnable(p: string, platform: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    if (platform !== 'win32') await fs.access(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
