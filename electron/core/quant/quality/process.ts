/**
 * Runs llama-perplexity as a child process: streams its output to a callback (progress comes without newlines),
 * keeps the tail of each stream for parsing, and on abort stops it (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn } from 'node:child_process';
import { backendEnv } from '../../backends/llama-cpp/llama-args';

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The executable could not be started (message), or null. */
  spawnError: string | null;
  aborted: boolean;
}

export interface StreamOptions {
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Called with the whole stdout / stderr text so far (tail-capped) whenever either grows. */
  onOutput?(stdout: string, stderr: string): void;
  onChild?(pid: number): void;
  /** Between SIGTERM and SIGKILL on abort (default 3 s). */
  killGraceMs?: number;
  /** Tail kept of each stream (default 1 MiB: the KL-divergence rows and summary are a few KB). */
  maxChars?: number;
}

export function streamTool(bin: string, args: string[], o: StreamOptions): Promise<ToolRun> {
  const maxChars = o.maxChars ?? 1024 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    let killTimer: NodeJS.Timeout | null = null;
    const done = (r: Omit<ToolRun, 'stdout' | 'stderr' | 'aborted'>) => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      o.signal.removeEventListener('abort', onAbort);
      resolve({ ...r, stdout, stderr, aborted: o.signal.aborted });
    };
    const child = spawn(bin, args, {
      env: backendEnv(o.env ?? process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const onAbort = () => {
      try {
        child.kill('SIGTERM');
      } catch {
        /* already gone */
      }
      killTimer = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          /* already gone */
        }
      }, o.killGraceMs ?? 3000);
    };
    if (o.signal.aborted) onAbort();
    else o.signal.addEventListener('abort', onAbort, { once: true });
    if (child.pid) o.onChild?.(child.pid);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout = (stdout + d).slice(-maxChars);
      o.onOutput?.(stdout, stderr);
    });
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-maxChars);
      o.onOutput?.(stdout, stderr);
    });
    child.once('error', (e) => done({ code: null, signal: null, spawnError: e.message }));
    child.once('close', (code, signal) => done({ code, signal, spawnError: null }));
  });
}
