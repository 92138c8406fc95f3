/**
 * The command line as users run it: the bundled dist/electron/cli.mjs in its own process, for the CLI's integration
 * tests (test/cli.int.test.ts, cli-bench.int.test.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { tmpDir } from './helpers';

export const CLI = path.resolve(__dirname, '../../dist/electron/cli.mjs');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node cli.mjs ...args` with exactly `env` (nothing inherited) and collects its output. `onStderr` sees all of
 * stderr so far after each chunk, with `kill` to signal the process (SIGKILL unless told).
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  onStderr?: (all: string, kill: (signal?: NodeJS.Signals) => void) => void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, (signal = 'SIGKILL') => child.kill(signal));
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A maker of fresh data folders (`prefix`), all removed after the file's tests. Call at a test file's top level. */
export function dataDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = tmpDir(prefix);
    dirs.push(d);
    return d;
  };
}
