/**
 * Runs one long llama.cpp tool (llama-quantize, llama-imatrix) with its output read line by line as it comes, and
 * stops it when the signal aborts: SIGTERM, then SIGKILL if it is still there after a grace period. Never throws;
 * the caller reads the result. Unlike util/run-tool.ts (short probes with a deadline), this streams and has no
 * deadline of its own: quantizing a big model takes as long as it takes, and the user can cancel.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { backendEnv } from '../../backends/llama-cpp/llama-args';
import { lineSplitter } from '../../util/lines';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The executable could not be started (ENOENT, EACCES …); `error` says why. */
  missing: boolean;
  error: string | null;
  /** The signal aborted the run (the process was told to stop). */
  aborted: boolean;
  /** The last lines of stdout and stderr together, in order (for error messages and the job log). */
  tail: string[];
}

export interface RunProcessOptions {
  signal: AbortSignal;
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
  /** Raw output as it arrives, for tools that print progress without newlines (llama-imatrix's "[3]12.5,"). */
  onText?(text: string, stream: 'stdout' | 'stderr'): void;
  onChild?(pid: number): void;
  env?: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL on abort. */
  graceMs?: number;
  tailLines?: number;
}

export function runProcess(bin: string, args: string[], o: RunProcessOptions): Promise<ProcessResult> {
  const tail: string[] = [];
  const max = o.tailLines ?? 200;
  return new Promise((resolve) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (r: Omit<ProcessResult, 'tail' | 'aborted'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      o.signal.removeEventListener('abort', onAbort);
      resolve({ ...r, aborted: o.signal.aborted, tail });
    };
    const push = (stream: 'stdout' | 'stderr') => (line: string) => {
      tail.push(line);
      if (tail.length > max) tail.shift();
      try {
        o.onLine(line, stream);
      } catch {
        /* a listener's bug must not kill the run */
      }
    };
    if (o.signal.aborted) {
      finish({ code: null, signal: null, missing: false, error: null });
      return;
    }
    let child: ReturnType<typeof nodeSpawn>;
    try {
      child = nodeSpawn(bin, args, {
        env: backendEnv(o.env ?? process.env),
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (e) {
      finish({ code: null, signal: null, missing: true, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    function onAbort() {
      try {
        child.kill('SIGTERM');
      } catch {
        /* gone */
      }
      killTimer = setTimeout(() => {
        try {
          child.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }, o.graceMs ?? 3000);
      killTimer.unref();
    }
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (child.pid) o.onChild?.(child.pid);
    for (const stream of ['stdout', 'stderr'] as const) {
      const split = lineSplitter(push(stream));
      // A character split across two reads is decoded whole (the raw text goes to parsers as it comes).
      const decoder = new StringDecoder('utf8');
      child[stream]!.on('data', (d: Buffer) => {
        split(d);
        try {
          if (o.onText) o.onText(decoder.write(d), stream);
        } catch {
          /* a listener's bug must not kill the run */
        }
      });
    }
    child.once('error', (e: NodeJS.ErrnoException) =>
      finish({ code: null, signal: null, missing: e.code === 'ENOENT' || e.code === 'EACCES', error: e.message }),
    );
    child.once('close', (code, signal) => finish({ code, signal, missing: false, error: null }));
  });
}
