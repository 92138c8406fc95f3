/**
 * `npm run serve -- --rpc-worker [--host IFACE] [--port N]` as the real headless process (dist/electron/headless.mjs):
 * only the worker runs (no HTTP), the warning and the addresses are printed, the worker answers the RPC protocol,
 * Ctrl-C (SIGINT) stops it and its ggml-rpc-server cleanly; and a second worker on a taken port fails in words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRpcWorker } from '../core/rpc/protocol';
import { freePort } from '../core/util/free-port';
import { tmpDir, waitUntil } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..');
const running: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of running.splice(0)) {
    // SIGTERM: the app stops its worker (a SIGKILL would orphan it until the next start reaps it).
    const workers = c.pid ? rpcServersOf(c.pid) : [];
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await new Promise((r) => c.once('exit', r));
      clearTimeout(t);
    }
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* stopped by the app, as it should be */
      }
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function serveWorker(args: string[]) {
  const dataDir = tmpDir('dl-rpcw-');
  dirs.push(dataDir);
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist/electron/headless.mjs'), '--data-dir', dataDir, '--rpc-worker', ...args],
    { env: { ...process.env, DEEPLOCAL_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited, dataDir };
}

/** ggml-rpc-server processes whose parent is `ppid` (from /proc). */
function rpcServersOf(ppid: number): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'ggml-rpc-server' && Number(parent) === ppid && state !== 'Z') pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** A process that still runs (not gone, not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('serve --rpc-worker', () => {
  it(
    'runs only the worker, warns in words, prints its address, answers RPC, stops on Ctrl-C',
    { timeout: 180_000 },
    async () => {
      const port = await freePort();
      const w = serveWorker(['--host', '127.0.0.1', '--port', String(port)]);
      const ok = await waitUntil(() => /Press Ctrl-C/.test(w.out.stdout) || w.child.exitCode !== null, 120_000);
      expect(ok, `${w.out.stdout}\n${w.out.stderr}`).toBe(true);
      expect(w.out.stdout).toMatch(/RPC worker ready/);
      expect(w.out.stdout).toMatch(/no authentication/);
      expect(w.out.stdout).toMatch(/trusted network/);
      expect(w.out.stdout).toContain(`  127.0.0.1:${port}`);
      expect(w.out.stdout).not.toMatch(/DeepLocal ready: http/);
      expect(rpcServersOf(w.child.pid!)).toHaveLength(1);
      // The pid file names the worker (reaped by the next start if this process dies).
      const pidRecord = JSON.parse(fs.readFileSync(path.join(w.dataDir, 'run', 'ggml-rpc-server.pid'), 'utf8')) as {
        backendPid: number;
      };
      expect(rpcServersOf(w.child.pid!)).toEqual([pidRecord.backendPid]);

      const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 15_000 });
      expect(c).toMatchObject({ ok: true, protocol: '7.0.0', compatible: true });

      w.child.kill('SIGINT');
      expect(await w.exited).toBe(0);
      expect(rpcServersOf(w.child.pid!)).toEqual([]);
      expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 })).error?.params?.reason).toMatch(/refused/);
      expect(fs.existsSync(path.join(w.dataDir, 'run', 'ggml-rpc-server.pid'))).toBe(false);
    },
  );

  it(
    'an app killed outright (SIGKILL) does not leave its worker listening: the watchdog ends it',
    { timeout: 180_000 },
    async () => {
      const port = await freePort();
      const w = serveWorker(['--host', '127.0.0.1', '--port', String(port)]);
      const ok = await waitUntil(() => /Press Ctrl-C/.test(w.out.stdout) || w.child.exitCode !== null, 120_000);
      expect(ok, `${w.out.stdout}\n${w.out.stderr}`).toBe(true);
      const [worker] = rpcServersOf(w.child.pid!);
      expect(worker).toBeDefined();
      w.child.kill('SIGKILL');
      await w.exited;
      // No app left to stop it: the watchdog's pipe closed with the app, and it ends the worker's group.
      expect(await waitUntil(() => !alive(worker!), 20_000)).toBe(true);
      expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 })).error?.params?.reason).toMatch(/refused/);
    },
  );

  it('a port another worker holds: says why and exits 1, leaving nothing behind', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const first = serveWorker(['--port', String(port)]);
    expect(await waitUntil(() => /Press Ctrl-C/.test(first.out.stdout) || first.child.exitCode !== null, 120_000)).toBe(
      true,
    );
    const second = serveWorker(['--port', String(port)]);
    expect(await second.exited).toBe(1);
    expect(second.out.stderr).toMatch(/could not start as an RPC worker: it could not listen/);
    expect(rpcServersOf(second.child.pid!)).toEqual([]);
    // The first one is untouched.
    expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 15_000 })).ok).toBe(true);
  });
});
