/**
 * `npm run cli -- bench` as users run it (the bundled dist/electron/cli.mjs in its own process) with the real
 * llama-bench and llama-server on the synthetic tiny model and this machine's own grid: the auto sweep prints the
 * progress with ETA, the table, the pick, the app check and where it saved; Ctrl-C (SIGINT) mid-sweep cancels and
 * saves nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { PROFILES_FILE } from './core/models/profiles';
import { dataDirs, runCli } from './test/cli-run';
import { pathWithoutGpuTools } from './test/helpers';

const tinyModel = inject('tinyModel');
const resourcesDir = inject('resourcesDir');
const dataDir = dataDirs('dl-cli-bench-');

const run = (args: string[], onStderr?: (all: string, signal: (s: NodeJS.Signals) => void) => void) =>
  runCli(
    ['bench', ...args],
    { PATH: pathWithoutGpuTools(), HOME: process.env.HOME ?? '', LANG: 'C.UTF-8', DEEPLOCAL_RESOURCES: resourcesDir },
    onStderr,
  );

const small = ['--pp', '8', '--tg', '4', '--reps', '1'];

describe('npm run cli -- bench', () => {
  it('auto: progress with ETA, the table, the pick, the app check, saved', async () => {
    const d = dataDir();
    const r = await run([tinyModel, '--data-dir', d, ...small]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Benchmarking .*tiny-s1\.gguf: \d+ of \d+ configurations \(auto-tune\)/);
    expect(r.stderr).toMatch(/ETA \d+:\d\d/);
    expect(r.stdout).toMatch(/CONFIG\s+PP t\/s\s+TG t\/s/);
    expect(r.stdout).toMatch(/← best/);
    expect(r.stdout).toMatch(
      /Best for chat: t\d+ ngl=0 fa=(on|off) b=\d+\/\d+ kv=(f16|q8_0) — generation [\d.]+ tok\/s/,
    );
    expect(r.stdout).toMatch(/The app reaches [\d.]+ tok\/s with these options \(llama-bench: [\d.]+ tok\/s, \d+ %\)/);
    expect(r.stdout).toContain(
      `Saved as this model’s default load options on this machine (${path.join(d, PROFILES_FILE)})`,
    );
    const saved = JSON.parse(fs.readFileSync(path.join(d, PROFILES_FILE), 'utf8'));
    expect(saved.profiles[tinyModel]).toMatchObject({ source: 'tuned' });
  });

  it('Ctrl-C mid-sweep cancels: exit 130, nothing saved', async () => {
    const d = dataDir();
    let sent = false;
    const r = await run([tinyModel, '--data-dir', d, '--exhaustive', ...small], (all, signal) => {
      if (!sent && /Benchmarking/.test(all)) {
        sent = true;
        signal('SIGINT');
      }
    });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('Cancelled; nothing was saved.');
    expect(fs.existsSync(path.join(d, PROFILES_FILE))).toBe(false);
  });
});
