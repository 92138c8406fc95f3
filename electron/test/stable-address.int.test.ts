/**
 * Issue 11 §2, the real headless process (dist/electron/headless.mjs) started and stopped on one data folder: a
 * restart keeps the URL and token (bookmarks and API clients keep working), --port overrides for one run only, a
 * busy saved port gives another port for this run in one line while the saved one is kept, and server.newToken
 * makes the old token useless at once on HTTP and WebSocket (an open session with it is closed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connectWs, type SocketLike } from '../shared/ws-client';
import { freePort } from '../core/util/free-port';
import { tmpDir, waitUntil } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..');
const running: ChildProcess[] = [];
const dirs: string[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  origin: string;
  port: number;
  token: string;
  stderr: () => string;
}

async function start(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist/electron/headless.mjs'), '--data-dir', dataDir, ...args],
    {
      // DEEPLOCAL_TOKEN from the developer's shell must not decide these tests.
      env: { ...process.env, DEEPLOCAL_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const ok = await waitUntil(() => /DeepLocal ready: /.test(out) || child.exitCode !== null, 30_000);
  const url = /DeepLocal ready: (\S+)/.exec(out)?.[1];
  if (!ok || !url) throw new Error(`headless did not start: ${out}\n${err}`);
  const u = new URL(url);
  return { child, url, origin: u.origin, port: Number(u.port), token: u.searchParams.get('token')!, stderr: () => err };
}

async function stop(s: Started) {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    s.child.kill('SIGTERM');
    await new Promise((r) => s.child.once('exit', r));
  }
}

const newDataDir = () => {
  const d = tmpDir('dl-addr-');
  dirs.push(d);
  return d;
};

const rpc = (origin: string, token: string, method: string, params: unknown = {}) =>
  fetch(`${origin}/api/rpc/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });

const readSaved = (dataDir: string) =>
  JSON.parse(fs.readFileSync(path.join(dataDir, 'server.json'), 'utf8')) as { port: number | null; token: string };

afterEach(async () => {
  for (const c of running.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await new Promise((r) => c.once('exit', r));
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('stable address', () => {
  it('a restart keeps the URL and the token; server.json is readable by this user only', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    expect(first.token.length).toBeGreaterThanOrEqual(20);
    await stop(first);
    const saved = readSaved(dataDir);
    expect(saved).toEqual({ v: 1, port: first.port, token: first.token });
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dataDir, 'server.json')).mode & 0o777).toBe(0o600);
    // Not in settings.json, which every client is sent.
    expect(
      fs.existsSync(path.join(dataDir, 'settings.json'))
        ? fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')
        : '',
    ).not.toContain(first.token);

    const second = await start(dataDir);
    expect(second.url).toBe(first.url);
    expect((await rpc(second.origin, first.token, 'app.info')).status).toBe(200);
  });

  it('--port and --token override for one run; the next plain start is back at the saved address', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    await stop(first);
    const other = await freePort();
    const overridden = await start(dataDir, ['--port', String(other), '--token', 'one-run-token-0123456789']);
    expect(overridden.port).toBe(other);
    expect(overridden.token).toBe('one-run-token-0123456789');
    expect((await rpc(overridden.origin, first.token, 'app.info')).status).toBe(401);
    await stop(overridden);
    expect(readSaved(dataDir)).toEqual({ v: 1, port: first.port, token: first.token });

    const envToken = await start(dataDir, [], { DEEPLOCAL_TOKEN: 'env-token-0123456789abcdef' });
    expect(envToken.port).toBe(first.port);
    expect(envToken.token).toBe('env-token-0123456789abcdef');
    await stop(envToken);

    const plain = await start(dataDir);
    expect(plain.url).toBe(first.url);
  });

  it('a busy saved port: another port this time, said in one line, the saved port kept for the next start', async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    await stop(first);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(first.port, '127.0.0.1', r));
    try {
      const moved = await start(dataDir);
      expect(moved.port).not.toBe(first.port);
      expect(moved.token).toBe(first.token);
      const lines = moved
        .stderr()
        .split('\n')
        .filter((l) => /is busy/.test(l));
      expect(lines).toEqual([
        `DeepLocal: port ${first.port} is busy; using ${moved.port} this time (the saved port ${first.port} is kept for the next start)`,
      ]);
      expect(readSaved(dataDir).port).toBe(first.port);
      await stop(moved);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const back = await start(dataDir);
    expect(back.url).toBe(first.url);
  });

  it('a busy --port is still an error: the user asked for that port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const child = spawn(
        process.execPath,
        [path.join(repoRoot, 'dist/electron/headless.mjs'), '--data-dir', newDataDir(), '--port', String(port)],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'en_US.UTF-8' } },
      );
      running.push(child);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(err).toContain(`Port ${port} is already in use`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('a new token: the old one is refused at once on HTTP and WebSocket, open sessions with it are closed', async () => {
    const dataDir = newDataDir();
    const s = await start(dataDir);
    const factory = (url: string, protocols: string[]) => new WebSocket(url, protocols) as unknown as SocketLike;
    // A bystander (another tab, an API client) and the caller, both on the old token.
    const bystander = connectWs(s.origin, s.token, factory);
    const caller = connectWs(s.origin, s.token, factory);
    await Promise.all([bystander.ready, caller.ready]);
    const closed = (c: typeof caller) => new Promise<string>((r) => c.onClose(r));
    const bystanderClosed = closed(bystander);
    const callerClosed = closed(caller);

    // The caller gets its answer before its session goes.
    const { url } = await caller.call('server.newToken', {});
    const fresh = new URL(url).searchParams.get('token')!;
    expect(new URL(url).origin).toBe(s.origin);
    expect(fresh).not.toBe(s.token);
    expect(await bystanderClosed).toBe('token changed');
    expect(await callerClosed).toBe('token changed');

    expect((await rpc(s.origin, s.token, 'app.info')).status).toBe(401);
    expect((await fetch(`${s.origin}/v1/models`, { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(
      401,
    );
    const refused = connectWs(s.origin, s.token, factory);
    await expect(refused.ready).rejects.toThrow();
    expect((await rpc(s.origin, fresh, 'app.info')).status).toBe(200);
    const again = connectWs(s.origin, fresh, factory);
    await again.ready;
    expect((await again.call('app.info', {})).apiBaseUrl).toBe(`${s.origin}/v1`);
    again.close();

    // Over HTTP too, and the newest token is the one a restart keeps.
    const res = await rpc(s.origin, fresh, 'server.newToken');
    expect(res.status).toBe(200);
    const newest = new URL(((await res.json()) as { url: string }).url).searchParams.get('token')!;
    expect((await rpc(s.origin, fresh, 'app.info')).status).toBe(401);
    await stop(s);
    expect(readSaved(dataDir)).toEqual({ v: 1, port: s.port, token: newest });
    const restarted = await start(dataDir);
    expect(restarted.url).toBe(`${s.origin}/?token=${newest}`);
  });
});
