/**
 * External servers against a real llama-server started with `--api-key` (the tiny synthetic model), reached over
 * http directly and over https through a TLS front with a self-signed certificate made here (this llama-server
 * build has no SSL of its own). Through a composed core: check, the untrusted certificate and trusting its
 * fingerprint, wrong key, refused port, keys in a 0600 file and never in the list, connect, a conversation reply
 * streamed through the app with its reasoning, the server's /metrics read for the Monitor, the OpenAI proxy
 * (/v1/models lists the connected model, /v1/chat/completions forwarded to https with the server's key and model),
 * and just-in-time loading that leaves the connected server alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RemoteServer } from '../shared/backends';
import { waitForStatus, waitUntil } from '../test/helpers';
import { coreUnderTest } from '../test/core-under-test';
import { startHttpTransport, type HttpTransport } from './http';
import { freePort } from '../core/util/free-port';
import { BackendStatsPoller } from '../core/telemetry/backend-stats';
import type { Core } from '../core/app';

const llamaServer = inject('llamaServer');
const tinyModel = inject('tinyModel');
const resourcesDir = inject('resourcesDir');
const KEY = 'remote-test-key-' + Math.random().toString(36).slice(2);
const direct = { transport: 'direct' } as const;

let llama: ChildProcess;
let port = 0;
let front: tls.Server;
let httpsPort = 0;
let fingerprint = '';
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  port = await freePort();
  llama = spawn(
    llamaServer,
    // (--metrics: the app reads a remote llama-server's Prometheus counters for the Monitor, as it does its own.)
    [
      ...['-m', tinyModel, '--host', '127.0.0.1', '--port', String(port), '-c', '2048', '-np', '2'],
      ...['--api-key', KEY, '--metrics'],
    ],
    { stdio: 'ignore' },
  );
  const ready = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 90_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('llama-server did not become ready');
    await new Promise((r) => setTimeout(r, 200));
  }
  // The https front: TLS with a self-signed certificate, bytes piped to llama-server.
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'remote-test' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  fingerprint = new X509Certificate(pems.cert).fingerprint256;
  front = tls.createServer({ key: pems.private, cert: pems.cert }, (client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  httpsPort = (front.address() as net.AddressInfo).port;
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => front?.close(r));
  if (llama && llama.exitCode === null) {
    llama.kill('SIGKILL');
    await new Promise((r) => llama.once('exit', r));
  }
});

const cut = coreUnderTest(resourcesDir);
const start = (): Promise<Core> => cut.start({ remote: { checkTimeoutMs: 15_000, healthIntervalMs: 1000 } });
const httpUrl = () => `http://127.0.0.1:${port}`;
const httpsUrl = () => `https://127.0.0.1:${httpsPort}/v1`;

describe('external server: a real llama-server with --api-key', () => {
  it('checks over http: models, flavor, latency; wrong key REMOTE_AUTH; refused port REMOTE_REFUSED', async () => {
    const core = await start();
    const ok = await core.handlers['remote.check']({ url: httpUrl(), apiKey: KEY }, direct);
    expect(ok.error).toBeNull();
    expect(ok.ok).toBe(true);
    expect(ok.flavor).toBe('llama.cpp');
    expect(ok.models.length).toBe(1);
    expect(ok.models[0]!.ownedBy).toBe('llamacpp');
    expect(ok.models[0]!.contextLength).toBeGreaterThan(0);
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect(ok.certificate).toBeNull();

    const wrong = await core.handlers['remote.check']({ url: httpUrl(), apiKey: 'not-the-key' }, direct);
    expect(wrong.ok).toBe(false);
    expect(wrong.error?.code).toBe('REMOTE_AUTH');
    expect(wrong.error?.params?.status).toBe(401);
    const none = await core.handlers['remote.check']({ url: httpUrl() }, direct);
    expect(none.error?.code).toBe('REMOTE_AUTH');

    const closed = await freePort();
    const refused = await core.handlers['remote.check']({ url: `http://127.0.0.1:${closed}` }, direct);
    expect(refused.error?.code).toBe('REMOTE_REFUSED');

    const bad = await core.handlers['remote.check']({ url: 'ftp://127.0.0.1/' }, direct);
    expect(bad.error?.code).toBe('REMOTE_BAD_URL');
    await expect(core.handlers['remote.add']({ url: 'http://u:p@127.0.0.1:1' }, direct)).rejects.toMatchObject({
      code: 'REMOTE_BAD_URL',
    });
  });

  it('https: the self-signed certificate is shown untrusted; trusting its fingerprint connects', async () => {
    const core = await start();
    const untrusted = await core.handlers['remote.check']({ url: httpsUrl(), apiKey: KEY }, direct);
    expect(untrusted.ok).toBe(false);
    expect(untrusted.error?.code).toBe('REMOTE_TLS');
    expect(untrusted.certificate?.fingerprint256).toBe(fingerprint);
    expect(untrusted.certificate?.trusted).toBe(false);
    expect(untrusted.certificate?.subject).toContain('CN=remote-test');
    expect(untrusted.certificate?.validTo).not.toBe('');
    expect(untrusted.error?.params?.fingerprint256).toBe(fingerprint);

    // Another pinned certificate than the server's: refused, and the error names the one seen.
    const other = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    const pinnedWrong = await core.handlers['remote.check'](
      { url: httpsUrl(), apiKey: KEY, trustFingerprint256: other },
      direct,
    );
    expect(pinnedWrong.error?.code).toBe('REMOTE_TLS');

    const trusted = await core.handlers['remote.check'](
      { url: httpsUrl(), apiKey: KEY, trustFingerprint256: fingerprint.toLowerCase() },
      direct,
    );
    expect(trusted.error).toBeNull();
    expect(trusted.ok).toBe(true);
    expect(trusted.models.length).toBe(1);
  });

  it('add keeps the key in a 0600 file, never in the list, events or servers.json; connect and chat through it', async () => {
    const core = await start();
    const events: RemoteServer[][] = [];
    core.bus.on('remote.changed', (l) => events.push(l));
    const added = await core.handlers['remote.add'](
      { name: 'gpu box', url: httpsUrl(), apiKey: KEY, trustFingerprint256: fingerprint },
      direct,
    );
    expect(added.url).toBe(`https://127.0.0.1:${httpsPort}`);
    expect(added.hasKey).toBe(true);
    expect(added.keyStorage).toBe('file');
    expect(added.lastCheck?.ok).toBe(true);
    expect(added.trustedFingerprint256).toBe(fingerprint);
    const dir = path.join(cut.dataDir!, 'remote');
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'servers.json'), 'utf8')).not.toContain(KEY);
    const listed = await core.handlers['remote.list']({}, direct);
    expect(JSON.stringify(listed)).not.toContain(KEY);
    expect(await waitUntil(() => events.length > 0, 5000)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(KEY);

    const model = added.lastCheck!.models[0]!.id;
    const status = await core.handlers['remote.connect']({ id: added.id, model }, direct);
    expect(status.state).toBe('ready');
    expect(status.kind).toBe('external');
    expect(status.target).toMatchObject({
      kind: 'external',
      serverId: added.id,
      serverName: 'gpu box',
      url: added.url,
      model,
      flavor: 'llama.cpp',
    });
    expect(status.model?.path).toBe(`${added.url}#${model}`);
    // The run's options are not another run's: context 0 = the remote model's own.
    expect(status.options?.contextSize).toBe(0);
    expect(core.backend.endpoint()).toMatchObject({ model, remote: true, tls: { fingerprint256: fingerprint } });
    expect(core.backend.capabilities()?.metrics).toEqual({ url: `${added.url}/metrics`, dialect: 'llamacpp' });
    expect(JSON.stringify(core.backend.recentLogs(200))).not.toContain(KEY);

    // A conversation reply streams through the app from the remote server, its reasoning included.
    const conv = await core.handlers['conversations.create']({}, direct);
    const sent = await core.handlers['chat.send'](
      { conversationId: conv.id, content: 'Hello there', sampling: { max_tokens: 12, seed: 1 } },
      direct,
    );
    await core.conversationChat.idle();
    const reply = core.conversations.repo.get(conv.id).messages.find((m) => m.id === sent.replyMessageId)!;
    expect(reply.error).toBeNull();
    expect(reply.status).toBe('done');
    // The R1 template of the tiny model opens <think>: llama-server sends it all as reasoning_content.
    expect(reply.reasoning.length).toBeGreaterThan(0);
    expect(reply.timings?.predictedTokens).toBeGreaterThan(0);
    // The Monitor's backend figures come from the server's own /metrics, over https with the pinned certificate.
    const stats = await new BackendStatsPoller(core.backend).poll(Date.now());
    expect(stats.metrics?.get('llamacpp:tokens_predicted_total')).toBeGreaterThanOrEqual(
      reply.timings!.predictedTokens,
    );

    // The OpenAI proxy: /v1/models shows the connected model; a request naming any model is forwarded to the
    // https server with its key and the connected model.
    let api: HttpTransport | null = null;
    try {
      const token = 'tok-' + Math.random().toString(36).slice(2);
      api = await startHttpTransport({ core, endpoint: () => core.backend.endpoint(), token, staticDir: null });
      const auth = { authorization: `Bearer ${token}` };
      const models = (await (await fetch(`${api.url}/v1/models`, { headers: auth })).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((m) => m.id)).toEqual([model]);
      const res = await fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'whatever-the-client-says',
          messages: [{ role: 'user', content: 'Hi' }],
          max_tokens: 6,
          stream: true,
        }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('reasoning_content');
      expect(text).toContain(`"model":"${model}"`);
      expect(text.trim().endsWith('data: [DONE]')).toBe(true);
      // Back to back: llama-server closes a streamed reply's connection, so none may be handed to the next request
      // (with the kept-alive https connection reused, about every second one failed with "socket hang up").
      for (let i = 0; i < 6; i++) {
        const again = await fetch(`${api.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: `Hi ${i}` }], max_tokens: 2, stream: true }),
        });
        expect(again.status).toBe(200);
        expect((await again.text()).trim().endsWith('data: [DONE]')).toBe(true);
      }

      // A request naming an installed GGUF does not swap the user's server for a llama.cpp load: an OpenAI client
      // is served by the server; an Ollama-style (strict) one is told what runs where.
      fs.mkdirSync(path.join(cut.dataDir!, 'models'), { recursive: true });
      fs.copyFileSync(tinyModel, path.join(cut.dataDir!, 'models', 'alpha.gguf'));
      const named = await fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'alpha', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 }),
      });
      expect(named.status).toBe(200);
      expect(((await named.json()) as { model: string }).model).toBe(model);
      await expect(core.jit.endpointFor('alpha', { strict: true })).rejects.toMatchObject({
        code: 'MODEL_BACKEND_IN_USE',
        params: { model: 'alpha', where: added.url },
      });
      expect(core.backend.status()).toMatchObject({ state: 'ready', kind: 'external' });
    } finally {
      await api?.close();
    }

    // Removing the connected server disconnects it and forgets its key.
    expect((await core.handlers['remote.remove']({ id: added.id }, direct)).removed).toBe(true);
    await waitForStatus(core, (s) => s.state === 'stopped', 10_000);
    expect(fs.readFileSync(path.join(dir, 'keys.json'), 'utf8')).not.toContain(KEY);
  });

  it('a model the server does not list is REMOTE_MODEL_NOT_FOUND', async () => {
    const core = await start();
    const added = await core.handlers['remote.add']({ url: httpUrl(), apiKey: KEY }, direct);
    await expect(
      core.handlers['remote.connect']({ id: added.id, model: 'no-such-model' }, direct),
    ).rejects.toMatchObject({ code: 'REMOTE_MODEL_NOT_FOUND' });
    await expect(core.handlers['remote.connect']({ id: 'nope', model: 'x' }, direct)).rejects.toMatchObject({
      code: 'REMOTE_NOT_FOUND',
    });
  });
});
