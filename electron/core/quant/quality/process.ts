/**
 * Runs llama-perplexity as a child process: streams its output to a callback (progress comes without newlines),
 * keeps the tail of each stream for parsing, and on abort stops it (SIGTERM, then SIGKILL after a grace period).
 * The process handling is quantize/run-process.ts's (one place spawns and stops the quant tools); this keeps the
 * whole text of each stream instead of its lines.
 */
import { runProcess } from '../quantize/run-process';

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

export async function streamTool(bin: string, args: string[], o: StreamOptions): Promise<ToolRun> {
  const maxChars = o.maxChars ?? 1024 * 1024;
  const text = { stdout: '', stderr: '' };
  const r = await runProcess(bin, args, {
    signal: o.signal,
    env: o.env,
    onChild: o.onChild,
    graceMs: o.killGraceMs,
    tailLines: 0,
    onLine: () => undefined,
    onText: (d, stream) => {
      text[stream] = (text[stream] + d).slice(-maxChars);
      o.onOutput?.(text.stdout, text.stderr);
    },
  });
  return {
    code: r.code,
    signal: r.signal,
    stdout: text.stdout,
    stderr: text.stderr,
    spawnError: r.error,
    aborted: r.aborted,
  };
}
