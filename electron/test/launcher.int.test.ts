/**
 * `npm start` / `npm run serve` as a user runs them: the launcher falls back to headless with one line saying why,
 * prints the URL with its token, loads a model given on the command line, and refuses a port already in use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { tmpDir, waitUntil } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..');
const tinyModel = inject('tinyModel');
const children: ChildProcess[] = [];

function launch(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs'), ...args], {
    cwd: repoRoot,
    // The app itself is built by the suite's global setup; renderer staleness is not what this test is about.
    env: { ...process.env, DEEPLOCAL_SKIP_APP_BUILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  return { child, out };
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
});

describe('launcher', () => {
  it('without a display: says why in one line and serves headless with a token URL', async () => {
    const env: NodeJS.ProcessEnv = { DISPLAY: '', WAYLAND_DISPLAY: '' };
    const { out } = launch(['--data-dir', tmpDir()], env);
    expect(await waitUntil(() => /DeepLocal ready: /.test(out.stdout), 30_000)).toBe(true);
    expect(out.stdout).toMatch(/^DeepLocal ready: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/m);
    const why = out.stderr.split('\n').filter((l) => /running headless/.test(l));
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/no display/);
  });

  it('with a display but no Electron binary (offline download): falls back to headless', async () => {
    // A mirror that refuses connections makes the lazy Electron download fail the same way it does offline.
    const { out } = launch(['--data-dir', tmpDir()], {
      DISPLAY: ':99',
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: tmpDir(),
    });
    expect(await waitUntil(() => /DeepLocal ready: /.test(out.stdout), 60_000)).toBe(true);
    expect(out.stderr).toMatch(/Electron binary is not available[^\n]*running headless instead/);
  });

  it('serve --model loads the model and the URL answers with the UI and the API', async () => {
    const { out } = launch(['--headless', '--model', tinyModel, '--data-dir', tmpDir()], {});
    expect(await waitUntil(() => /Model ready: DeepLocal Test Tiny/.test(out.stdout), 30_000)).toBe(true);
    const url = /DeepLocal ready: (\S+)/.exec(out.stdout)![1]!;
    const { origin, searchParams } = new URL(url);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">/);
    const models = await fetch(`${origin}/v1/models`, {
      headers: { authorization: `Bearer ${searchParams.get('token')}` },
    });
    expect(JSON.stringify(await models.json())).toContain('DeepLocal Test Tiny');
    expect(out.stderr).toMatch(/Loading DeepLocal Test Tiny: 100%/);
  });

  it('refuses a port already in use with a clear message and exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { child, out } = launch(['--headless', '--port', String(port), '--data-dir', tmpDir()], {
        LANG: 'zh_CN.UTF-8',
      });
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(out.stderr).toContain(`端口 ${port} 已被占用`);
    } finally {
      blocker.close();
    }
  });
});
