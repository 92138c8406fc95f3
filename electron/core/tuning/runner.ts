/**
 * Runs llama-bench for one configuration (I/O). A configuration that fails — llama-bench refuses it, runs out of
 * memory, crashes or is killed — becomes a row with an error, not the end of the sweep; the caller decides what an
 * all-failed sweep means. An aborted signal kills the run at once.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { TuneConfig, TuneRow } from '../../shared/tuning';
import { backendEnv } from '../backends/llama-cpp/llama-args';
import { runTool as defaultRunTool, type RunTool } from '../util/run-tool';
import { benchArgs, type BenchSize } from './bench-args';
import { benchFailureLine, benchFigures } from './bench-parse';

export interface RunnerDeps {
  env: NodeJS.ProcessEnv;
  runTool?: RunTool;
  /** Per configuration; a big model on a CPU needs minutes. */
  timeoutMs?: number;
  /** Told each llama-bench process id as it starts (logs; tests kill one to play a crash). */
  onChild?: (pid: number, config: TuneConfig) => void;
}

export const exeName = (name: string, platform = process.platform) => (platform === 'win32' ? `${name}.exe` : name);

/** llama-bench beside the active runtime's llama-server, or TUNE_BENCH_MISSING naming where it was looked for. */
export function locateBench(serverPath: string, platform = process.platform): string {
  const p = path.join(path.dirname(serverPath), exeName('llama-bench', platform));
  if (!fs.existsSync(p)) throw new AppError('TUNE_BENCH_MISSING', { path: p });
  return p;
}

export interface MeasuredRow {
  row: TuneRow;
  durationMs: number;
  /** The run was stopped by the signal (cancel), not by itself. */
  aborted: boolean;
}

export async function runBenchConfig(
  benchPath: string,
  modelPath: string,
  config: TuneConfig,
  size: BenchSize,
  signal: AbortSignal,
  deps: RunnerDeps,
): Promise<MeasuredRow> {
  const run = deps.runTool ?? defaultRunTool;
  const args = benchArgs(modelPath, config, size);
  const spawn = ((cmd: string, a: string[], o: Parameters<typeof nodeSpawn>[2]) => {
    const child = nodeSpawn(cmd, a, o);
    const kill = () => child.kill('SIGKILL');
    if (signal.aborted) kill();
    else signal.addEventListener('abort', kill, { once: true });
    child.once('close', () => signal.removeEventListener('abort', kill));
    if (child.pid) deps.onChild?.(child.pid, config);
    return child;
  }) as typeof nodeSpawn;
  const r = await run(benchPath, args, {
    env: backendEnv(deps.env),
    timeoutMs: deps.timeoutMs ?? 15 * 60_000,
    maxBytes: 4 * 1024 * 1024,
    spawn,
  });
  const figures = benchFigures(r.stdout);
  const empty = { config, ppTps: null, tgTps: null, ppStd: null, tgStd: null };
  if (signal.aborted) return { row: { ...empty, error: null }, durationMs: r.durationMs, aborted: true };
  if (r.missing) {
    const e = new AppError('TUNE_BENCH_MISSING', { path: benchPath }, r.error ?? undefined);
    return { row: { ...empty, error: toErrorInfo(e) }, durationMs: r.durationMs, aborted: false };
  }
  if (r.ok && figures.tgTps !== null)
    return { row: { config, ...figures, error: null }, durationMs: r.durationMs, aborted: false };
  const reason = r.timedOut
    ? `llama-bench did not finish within ${Math.round((deps.timeoutMs ?? 15 * 60_000) / 1000)} s`
    : r.signal
      ? `llama-bench was killed (${r.signal})${benchFailureLine(r.stderr) ? `: ${benchFailureLine(r.stderr)}` : ''}`
      : benchFailureLine(r.stderr) || `llama-bench exited with code ${r.code} and no figures`;
  const error = toErrorInfo(new AppError('TUNE_FAILED', { reason }, r.stderr.slice(-4000)));
  // Keep a figure it did print (the pp test before a crash in tg): useful, but the row stays failed.
  return { row: { config, ...figures, error }, durationMs: r.durationMs, aborted: false };
}
