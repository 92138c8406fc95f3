/**
 * The command line as users run it (the bundled dist/electron/cli.mjs in its own process), against the hub
 * emulator through HF_ENDPOINT: pull with progress, `models`, kill -9 halfway and run again (resumes, re-fetching at
 * most one segment), and a download that cannot be verified (exit 1, message in the language of LANG, nothing
 * installed).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F16_FILE, Q8_FILE, startTestHub, TEST_REPO, visibleModelFiles, type Hub } from './hub-fixtures';
import { dataDirs, runCli } from './cli-run';

const SEG = 8 * 1024 * 1024;
let hub: Hub;
const dataDir = dataDirs('dl-cli-');

beforeAll(async () => {
  hub = await startTestHub();
}, 120_000);
afterAll(async () => {
  await hub.emu.close();
});

function run(args: string[], env: Record<string, string> = {}, onStderr?: (all: string, kill: () => void) => void) {
  return runCli(
    args,
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LANG: 'C.UTF-8',
      HF_ENDPOINT: hub.emu.url,
      MODELSCOPE_ENDPOINT: hub.emu.url,
      DEEPLOCAL_DL_SEGMENT_BYTES: String(SEG),
      DEEPLOCAL_DL_BACKOFF_MS: '20',
      ...env,
    },
    onStderr,
  );
}

describe('npm run cli', () => {
  it('pull <repo>:QUANT downloads with a progress line, verifies, installs; `models` lists it', async () => {
    const d = dataDir();
    const r = await run(['pull', `${TEST_REPO}:Q8_0`, '--data-dir', d]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Downloading DeepLocal Test Tiny Q8_0|Downloading test-tiny Q8_0/);
    expect(r.stderr).toMatch(/100\.0%\s+\S+ \S+ \/ \S+ \S+\s+\S+ \S+\/s\s+ETA/);
    expect(r.stdout).toContain('Verified (SHA-256) and installed:');
    expect(visibleModelFiles(path.join(d, 'models'))).toEqual([`${TEST_REPO}/${Q8_FILE}`]);
    const m = await run(['models', '--data-dir', d]);
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/NAME\s+ARCH\s+QUANT\s+SIZE\s+CONTEXT\s+FILE/);
    expect(m.stdout).toMatch(/DeepLocal Test Tiny\s+qwen2\s+Q8_0\s+\S+ MB\s+4096\s+\S+DeepLocal-Test-Tiny-Q8_0\.gguf/);
    // Pulling again is instant.
    hub.emu.resetStats();
    const again = await run(['pull', `${TEST_REPO}:Q8_0`, '--data-dir', d]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already installed');
    expect(hub.emu.stats.bytesServed).toBe(0);
  });

  it('kill -9 at about half, run again: resumes and re-fetches at most one segment', async () => {
    const d = dataDir();
    hub.emu.resetStats();
    // Slow enough to catch it halfway.
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 4_000_000, file: F16_FILE }]);
    const first = await run(['pull', `${TEST_REPO}:F16`, '--data-dir', d], {}, (all, kill) => {
      const pct = [...all.matchAll(/(\d+\.\d)%/g)].map((m) => Number(m[1]));
      if (pct.some((p) => p >= 45)) kill();
    });
    expect(first.signal).toBe('SIGKILL');
    const servedFirst = hub.emu.stats.bytesByFile[F16_FILE] ?? 0;
    expect(servedFirst).toBeGreaterThan(hub.f16.size * 0.3);
    expect(servedFirst).toBeLessThan(hub.f16.size * 0.9);
    expect(visibleModelFiles(path.join(d, 'models'))).toEqual([]);
    hub.emu.clearFaults();
    const second = await run(['pull', `${TEST_REPO}:F16`, '--data-dir', d]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/Resuming: \S+ \S+ of \S+ \S+ already here/);
    const total = hub.emu.stats.bytesByFile[F16_FILE]!;
    const refetched = total - hub.f16.size;
    expect(refetched).toBeGreaterThanOrEqual(0);
    expect(refetched, `re-fetched ${refetched} bytes`).toBeLessThanOrEqual(SEG);
    expect(visibleModelFiles(path.join(d, 'models'))).toEqual([`${TEST_REPO}/${F16_FILE}`]);
  });

  it('a file that cannot be verified: exit 1, a message in the language of LANG, nothing installed', async () => {
    const d = dataDir();
    hub.emu.setFaults([{ kind: 'corrupt', at: 1_000_000, length: 8, times: Infinity }]);
    try {
      const r = await run(['pull', `${TEST_REPO}:Q8_0`, '--data-dir', d], { LANG: 'zh_CN.UTF-8' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /DeepLocal: DeepLocal-Test-Tiny-Q8_0\.gguf 校验失败（SHA-256 为 [0-9a-f]{64}，应为 [0-9a-f]{64}），已丢弃下载内容。/,
      );
      expect(visibleModelFiles(path.join(d, 'models'))).toEqual([]);
    } finally {
      hub.emu.clearFaults();
    }
  });

  it.each([
    [['pull', 'not a repo'], 1, /is not a model repository id or URL/],
    [['pull', 'nobody/nothing-GGUF'], 1, /The repository nobody\/nothing-GGUF was not found/],
    [['frobnicate'], 2, /Usage:/],
    [[], 2, /Usage:/],
  ])('%j → exit %i', async (args, code, re) => {
    const r = await run([...args, '--data-dir', dataDir()]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(re);
  });
});
