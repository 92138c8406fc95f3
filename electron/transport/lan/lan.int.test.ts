/**
 * LAN mode with the real core and a real llama-server: HTTPS on 127.0.0.1 standing in for a LAN address, the
 * certificate made once and kept (a pinned fingerprint survives a restart), named keys (valid 200, wrong / revoked /
 * the loopback token 401), CORS (a listed origin's preflight answered, a foreign one refused without CORS headers),
 * only the API on the LAN (no UI, no contract), settings followed live, and the loopback listener as before.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiStatus } from '../../shared/contract-api';
import { freePort } from '../../core/util/free-port';
import { createCore, type Core } from '../../core/app';
import type { ApiServersControl } from '../../core/compose/api';
import { fakeGpuEnv, tmpDir, waitForStatus } from '../../test/helpers';
import { familiesOf, metricNamesOf, readDashboard } from '../grafana-dashboard';
import { startHttpTransport, type HttpTransport } from '../http';
import { startLanController, type LanController, type LanState } from './controller';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const ALLOWED = 'https://chat.example.com';

/** The headless composition: the core, its loopback listener, and LAN mode reporting to api.status. */
let app: { core: Core; dataDir: string; token: string };
let loopback: HttpTransport;
let lan: LanController;
let lanState: LanState | undefined;
let port: number;
let cert: string;
const events: ApiStatus[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** HTTPS trusting only the certificate the server should have (what pinning it on a client does). */
function lanRequest(
  p: string,
  headers: Record<string, string> = {},
  opts: { method?: string; port?: number; body?: string; anyName?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: opts.port ?? port,
        path: p,
        method: opts.method ?? 'GET',
        headers,
        ca: cert,
        // A forged Host is also the name TLS checks; the test is about what the server does with it.
        ...(opts.anyName ? { checkServerIdentity: () => undefined } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
const code = (a: Answer) => (JSON.parse(a.body) as { error: { code: string } }).error.code;

/** The certificate the server presents, read without trusting it. */
function presented(p: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: p, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

const startLan = () =>
  startLanController({
    core: app.core,
    endpoint: () => app.core.backend.endpoint(),
    dataDir: app.dataDir,
    // The state arrives with the change (the first one comes before startLanController has returned).
    onChange: (s) => {
      lanState = s;
      app.core.api.statusChanged();
    },
  });

beforeAll(async () => {
  port = await freePort();
  const dataDir = tmpDir();
  const settings = { api: { lanEnabled: true, lanAddresses: ['127.0.0.1'], lanPort: port, corsOrigins: [ALLOWED] } };
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings));
  const servers: ApiServersControl = { lan: () => lanState };
  const core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    apiServers: () => servers,
    // A GPU (the fake nvidia-smi) so /metrics has every family the Grafana dashboard reads.
    env: fakeGpuEnv('one-gpu').env,
    monitoring: { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100 },
  });
  app = { core, dataDir, token: 'test-token-' + Math.random().toString(36).slice(2) };
  app.core.bus.on('api.status', (s) => events.push(s));
  // The loopback listener as headless runs it (named keys accepted for /v1 and /metrics beside the token).
  loopback = await startHttpTransport({
    core: app.core,
    endpoint: () => app.core.backend.endpoint(),
    token: app.token,
    staticDir: null,
    apiKeys: app.core.api.keys,
  });
  lan = await startLan();
  cert = fs.readFileSync(path.join(app.dataDir, 'tls', 'cert.pem'), 'utf8');
  await app.core.handlers['backend.start'](
    { modelPath: tinyModel, options: { contextSize: 1024 } },
    { transport: 'direct' },
  );
  await waitForStatus(app.core, (s) => s.state === 'ready');
});
afterAll(async () => {
  await lan?.close();
  await loopback?.close();
  await app?.core.dispose();
  if (app) fs.rmSync(app.dataDir, { recursive: true, force: true });
});

describe('the listener and its certificate', () => {
  it('listens over HTTPS with a certificate made on first use, its fingerprint in api.status', async () => {
    const status = await app.core.handlers['api.status']({}, { transport: 'direct' });
    expect(status.lan).toMatchObject({
      enabled: true,
      listening: true,
      urls: [`https://127.0.0.1:${port}`],
      error: null,
    });
    expect(status.lan.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await presented(port)).toBe(status.lan.fingerprint);
    expect(events.at(-1)?.lan.fingerprint).toBe(status.lan.fingerprint);
    if (process.platform !== 'win32')
      expect(fs.statSync(path.join(app.dataDir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    // Plain HTTP on the TLS port gets nothing from the API.
    const plain = await fetch(`http://127.0.0.1:${port}/v1/models`).catch(() => null);
    expect(plain?.status ?? 0).not.toBe(200);
  });
});

describe('named API keys on the LAN', () => {
  it('a valid key gets /v1/models and /metrics; wrong, missing and the loopback token get 401', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'laptop' }, { transport: 'direct' });
    const ok = await lanRequest('/v1/models', { authorization: `Bearer ${made.key}` });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect((await lanRequest('/metrics', { 'x-api-key': made.key })).body).toContain('deeplocal_backend_up 1');
    const refusedWith: Record<string, string>[] = [
      { authorization: 'Bearer dl-wrong' },
      {},
      { authorization: `Bearer ${app.token}` },
    ];
    for (const headers of refusedWith) {
      const refused = await lanRequest('/v1/models', headers);
      expect([refused.status, code(refused)]).toEqual([401, 'UNAUTHORIZED']);
    }
    // Translated like every error.
    const zh = await lanRequest('/v1/models', { authorization: 'Bearer dl-wrong', 'accept-language': 'zh-CN' });
    expect((JSON.parse(zh.body) as { error: { message: string } }).error.message).toMatch(/[\u4e00-\u9fff]/);
    const listed = await app.core.handlers['apiKeys.list']({}, { transport: 'direct' });
    expect(listed.find((k) => k.id === made.id)?.lastUsedAt).not.toBeNull();
  });

  it('a revoked key is refused at once', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'phone' }, { transport: 'direct' });
    expect((await lanRequest('/v1/models', { authorization: `Bearer ${made.key}` })).status).toBe(200);
    await app.core.handlers['apiKeys.revoke']({ id: made.id }, { transport: 'direct' });
    const refused = await lanRequest('/v1/models', { authorization: `Bearer ${made.key}` });
    expect([refused.status, code(refused)]).toEqual([401, 'UNAUTHORIZED']);
  });

  it('serves only the API: no UI, no contract, no WebSocket; a foreign Host is refused (DNS rebinding)', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'probe' }, { transport: 'direct' });
    const auth = { authorization: `Bearer ${made.key}` };
    expect((await lanRequest('/', auth)).status).toBe(404);
    expect((await lanRequest('/api/rpc/app.info', auth, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await lanRequest('/api/ws', { ...auth, connection: 'Upgrade', upgrade: 'websocket' })).status).toBe(404);
    const foreign = await lanRequest('/v1/models', { ...auth, host: `attacker.example:${port}` }, { anyName: true });
    expect([foreign.status, code(foreign)]).toEqual([403, 'FORBIDDEN_HOST']);
  });
});

/** Raw bytes over TLS (no HTTP client in between): the status line of the answer, or '' when none came. */
function rawTls(text: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca: cert }, () => sock.end(text));
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    sock.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
  });
}

describe('hostile requests on the LAN listener', () => {
  it.each<[string, string, RegExp]>([
    ['two Host headers', 'GET /health HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nHost: evil.example\r\n\r\n', / 400 /],
    ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n', / 400 /],
    ['no Host', 'GET /v1/models HTTP/1.0\r\n\r\n', / 403 /],
    [
      'absolute-form to elsewhere',
      'GET http://evil.example/v1/models HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n',
      / 403 /,
    ],
    ['path escape', 'GET /v1/../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n', / 40[04] /],
    ['garbage', '\u0000\u0001not http at all\r\n\r\n', /^(HTTP\/1\.1 400 Bad Request|)$/],
  ])('%s → refused, and the listener keeps serving', async (_n, raw, want) => {
    expect(await rawTls(raw.replaceAll('PORT', String(port)))).toMatch(want);
    expect((await lanRequest('/health')).status).toBe(200);
  });

  it('a TLS handshake that is not one (plain bytes) is dropped without harm', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.end('GET / HTTP/1.1\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect((await lanRequest('/health')).status).toBe(200);
  });
});

describe('the Grafana dashboard on a real scrape', () => {
  it('every metric it queries is in /metrics, scraped over the LAN with a key, after a reply', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'prometheus' }, { transport: 'direct' });
    const auth = { authorization: `Bearer ${made.key}` };
    const off = app.core.bus.on('telemetry.sample', () => undefined);
    try {
      const reply = await lanRequest(
        '/v1/chat/completions',
        { ...auth, 'content-type': 'application/json' },
        { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }) },
      );
      expect(reply.status).toBe(200);
      const wanted = metricNamesOf(readDashboard());
      let missing: string[] = wanted;
      // llama-server's counters appear once a reply has ended; the sampler's once it has run.
      for (let i = 0; i < 50 && missing.length; i++) {
        if (i) await new Promise((r) => setTimeout(r, 200));
        const families = familiesOf((await lanRequest('/metrics', auth)).body);
        missing = wanted.filter((n) => !families.has(n));
      }
      expect(missing).toEqual([]);
    } finally {
      off();
    }
  });
});

describe('CORS', () => {
  it('a listed origin: preflight answered, its Origin echoed on the answer', async () => {
    const pre = await lanRequest(
      '/v1/chat/completions',
      { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      { method: 'OPTIONS' },
    );
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(pre.headers['access-control-allow-headers']).toBe('authorization');
    const made = await app.core.handlers['apiKeys.create']({ name: 'web' }, { transport: 'direct' });
    const get = await lanRequest('/v1/models', { origin: ALLOWED, authorization: `Bearer ${made.key}` });
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe(ALLOWED);
    // A 401 carries it too, so the page can read why.
    const bad = await lanRequest('/v1/models', { origin: ALLOWED });
    expect([bad.status, bad.headers['access-control-allow-origin']]).toEqual([401, ALLOWED]);
  });

  it('a foreign origin: refused, with no CORS headers, even with a valid key', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'web2' }, { transport: 'direct' });
    const pre = await lanRequest(
      '/v1/chat/completions',
      { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      { method: 'OPTIONS' },
    );
    expect([pre.status, pre.headers['access-control-allow-origin']]).toEqual([403, undefined]);
    const post = await lanRequest(
      '/v1/chat/completions',
      { origin: 'https://evil.example', authorization: `Bearer ${made.key}`, 'content-type': 'application/json' },
      { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }) },
    );
    expect([post.status, code(post), post.headers['access-control-allow-origin']]).toEqual([
      403,
      'FORBIDDEN_ORIGIN',
      undefined,
    ]);
  });

  it('a change of the allow-list applies to the next request, without a restart', async () => {
    const other = 'https://other.example';
    const ask = () =>
      lanRequest('/v1/models', { origin: other, 'access-control-request-method': 'GET' }, { method: 'OPTIONS' });
    expect((await ask()).status).toBe(403);
    await app.core.handlers['settings.update']({ api: { corsOrigins: [ALLOWED, other] } }, { transport: 'direct' });
    await lan.apply();
    expect((await ask()).status).toBe(204);
    expect(lan.state().urls).toEqual([`https://127.0.0.1:${port}`]);
  });
});

describe('loopback is unchanged', () => {
  it('token and named keys for /v1; the contract takes the token only; a foreign Origin is refused', async () => {
    const made = await app.core.handlers['apiKeys.create']({ name: 'local' }, { transport: 'direct' });
    const get = (headers: Record<string, string>, p = '/v1/models', init: RequestInit = {}) =>
      fetch(`${loopback.url}${p}`, { ...init, headers });
    expect((await get({ authorization: `Bearer ${app.token}` })).status).toBe(200);
    expect((await get({ authorization: `Bearer ${made.key}` })).status).toBe(200);
    expect((await get({ authorization: 'Bearer dl-wrong' })).status).toBe(401);
    const rpc = (key: string) =>
      get({ authorization: `Bearer ${key}` }, '/api/rpc/app.info', { method: 'POST', body: '{}' });
    expect((await rpc(app.token)).status).toBe(200);
    expect((await rpc(made.key)).status).toBe(401);
    // The LAN CORS list does not open loopback to those pages.
    const cross = await get({ authorization: `Bearer ${app.token}`, origin: ALLOWED });
    expect([cross.status, cross.headers.get('access-control-allow-origin')]).toEqual([403, null]);
  });
});

describe('following settings', () => {
  it('a new port rebinds; the same certificate is kept across restarts; off stops listening', async () => {
    const before = lan.state().fingerprint;
    const next = await freePort();
    await app.core.handlers['settings.update']({ api: { lanPort: next } }, { transport: 'direct' });
    await lan.apply();
    expect(lan.state()).toMatchObject({ listening: true, urls: [`https://127.0.0.1:${next}`], fingerprint: before });
    expect(await presented(next)).toBe(before);
    await expect(presented(port)).rejects.toThrow();
    // A restart of the controller (an app restart) reads the saved certificate: clients that pinned it still connect.
    await lan.close();
    lan = await startLan();
    expect(lan.state().fingerprint).toBe(before);
    expect(await presented(next)).toBe(before);
    await app.core.handlers['settings.update']({ api: { lanEnabled: false } }, { transport: 'direct' });
    await lan.apply();
    expect(lan.state()).toMatchObject({ enabled: false, listening: false, urls: [], fingerprint: null });
    await expect(presented(next)).rejects.toThrow();
    expect((await app.core.handlers['api.status']({}, { transport: 'direct' })).lan.listening).toBe(false);
  });

  it('an address that is not this machine is reported (LAN_LISTEN_FAILED), the others still listen', async () => {
    await app.core.handlers['settings.update'](
      { api: { lanEnabled: true, lanAddresses: ['127.0.0.1', '192.0.2.123'] } },
      { transport: 'direct' },
    );
    await lan.apply();
    const s = lan.state();
    expect(s.listening).toBe(true);
    expect(s.error).toMatchObject({ code: 'LAN_LISTEN_FAILED', params: { address: '192.0.2.123' } });
  });
});
