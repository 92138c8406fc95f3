/**
 * External servers that misbehave on purpose, each speaking real HTTP/SSE from a small local server: a web page
 * instead of the API (REMOTE_NOT_OPENAI), one that never answers (REMOTE_TIMEOUT), a reply cut mid-stream
 * (REMOTE_STREAM_CUT, the part that arrived kept), and a server that goes away while connected (the run crashes with
 * REMOTE_REFUSED and the self-healing supervision reconnects once it is back). The same server records what it is
 * sent: the chat and the OpenAI proxy carry the connected model and the server's key, whatever the client named.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForStatus } from '../test/helpers';
import { coreUnderTest } from '../test/core-under-test';
import { startHttpTransport } from './http';
import type { Core } from '../core/app';

const resourcesDir = inject('resourcesDir');
const direct = { transport: 'direct' } as const;
const KEY = 'misbehave-key';
const MODEL = 'fake-model';

type Mode = 'ok' | 'html' | 'hang' | 'cut' | 'revoked';
let mode: Mode = 'ok';
const received: { path: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
const sockets = new Set<net.Socket>();
let server: http.Server;
let port = 0;

const sse = (delta: Record<string, string>) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', model: MODEL, choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  if (mode === 'hang') return; // never answers
  if (mode === 'html') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><head><title>Router</title></head><body>Log in</body></html>');
    return;
  }
  if (req.headers.authorization !== `Bearer ${KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"Invalid API Key"}}');
    return;
  }
  if (req.method === 'GET' && req.url === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', owned_by: 'someone' }] }));
    return;
  }
  if (req.method === 'POST' && req.url === '/v1/chat/completions' && mode === 'revoked') {
    // The key was changed on the server between the check and this request.
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"Invalid API Key","type":"invalid_request_error"}}');
    return;
  }
  if (req.method === 'POST' && req.url === '/v1/chat/completions') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ path: req.url!, auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ reasoning_content: 'Thinking it over. ' }));
      res.write(sse({ content: 'Partial answer' }));
      // The stream stops mid-reply: the connection drops without [DONE].
      if (mode === 'cut') setTimeout(() => res.socket?.destroy(), 50);
      else res.end(`${sse({ content: ' done.' })}data: [DONE]\n\n`);
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

async function listen(p = 0): Promise<number> {
  server = http.createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(p, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}
async function close() {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
}

beforeAll(async () => {
  port = await listen();
});
afterAll(async () => {
  await close().catch(() => undefined);
});

const cut = coreUnderTest(resourcesDir);
const start = (): Promise<Core> => cut.start({ remote: { checkTimeoutMs: 1500, healthIntervalMs: 300 } });
const url = () => `http://127.0.0.1:${port}`;

describe('external servers that misbehave', () => {
  it('a web page is REMOTE_NOT_OPENAI; a server that never answers is REMOTE_TIMEOUT', async () => {
    const core = await start();
    mode = 'html';
    const html = await core.handlers['remote.check']({ url: url(), apiKey: KEY }, direct);
    expect(html.ok).toBe(false);
    expect(html.error?.code).toBe('REMOTE_NOT_OPENAI');
    expect(html.error?.params?.reason).toMatch(/web page/);
    mode = 'hang';
    const t0 = Date.now();
    const hung = await core.handlers['remote.check']({ url: url(), apiKey: KEY }, direct);
    expect(hung.error?.code).toBe('REMOTE_TIMEOUT');
    expect(hung.error?.params?.seconds).toBe(1.5);
    expect(Date.now() - t0).toBeLessThan(30_000);
    mode = 'ok';
  });

  it('a reply cut mid-stream is REMOTE_STREAM_CUT with the part that arrived kept; requests carry the model and key', async () => {
    const core = await start();
    mode = 'ok';
    const added = await core.handlers['remote.add']({ url: url(), apiKey: KEY }, direct);
    expect(added.lastCheck?.ok).toBe(true);
    const status = await core.handlers['remote.connect']({ id: added.id, model: MODEL }, direct);
    expect(status.state).toBe('ready');

    mode = 'cut';
    received.length = 0;
    const conv = await core.handlers['conversations.create']({}, direct);
    const sent = await core.handlers['chat.send']({ conversationId: conv.id, content: 'Hi' }, direct);
    await core.conversationChat.idle();
    const reply = core.conversations.repo.get(conv.id).messages.find((m) => m.id === sent.replyMessageId)!;
    expect(reply.status).toBe('error');
    expect(reply.error?.code).toBe('REMOTE_STREAM_CUT');
    expect(reply.content).toBe('Partial answer');
    expect(reply.reasoning).toBe('Thinking it over. ');
    expect(received.at(-1)?.body.model).toBe(MODEL);
    expect(received.at(-1)?.auth).toBe(`Bearer ${KEY}`);

    // The OpenAI proxy: the client's model name becomes the connected one, our token becomes the server's key.
    mode = 'ok';
    const token = 'tok-misbehave';
    const api = await startHttpTransport({ core, endpoint: () => core.backend.endpoint(), token, staticDir: null });
    try {
      const res = await fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('Partial answer');
      expect(text.trim().endsWith('data: [DONE]')).toBe(true);
      const last = received.at(-1)!;
      expect(last.body.model).toBe(MODEL);
      expect(last.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
      expect(last.auth).toBe(`Bearer ${KEY}`);
      // Cut mid-stream: the client is told with an error event naming the remote cut, after the part that came.
      mode = 'cut';
      const cutRes = await fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      });
      const cutText = await cutRes.text();
      expect(cutText).toContain('Partial answer');
      expect(cutText).toContain('"code":"REMOTE_STREAM_CUT"');
      expect(cutText).not.toContain('[DONE]');
    } finally {
      await api.close();
    }
  });

  it('update: a new key is checked at once, null removes it, a renamed server keeps its id', async () => {
    const core = await start();
    mode = 'ok';
    const added = await core.handlers['remote.add']({ url: url(), apiKey: KEY, name: 'box' }, direct);
    const wrong = await core.handlers['remote.update']({ id: added.id, patch: { apiKey: 'wrong' } }, direct);
    expect(wrong.lastCheck?.error?.code).toBe('REMOTE_AUTH');
    expect(wrong.hasKey).toBe(true);
    const none = await core.handlers['remote.update'](
      { id: added.id, patch: { apiKey: null, name: 'renamed' } },
      direct,
    );
    expect(none.hasKey).toBe(false);
    expect(none.keyStorage).toBeNull();
    expect(none.name).toBe('renamed');
    expect(none.lastCheck?.error?.code).toBe('REMOTE_AUTH');
    const fixed = await core.handlers['remote.update']({ id: added.id, patch: { apiKey: KEY } }, direct);
    expect(fixed.lastCheck?.ok).toBe(true);
    await expect(
      core.handlers['remote.update']({ id: added.id, patch: { url: 'http://127.0.0.1:1/some/path' } }, direct),
    ).rejects.toMatchObject({ code: 'REMOTE_BAD_URL' });
    expect((await core.handlers['remote.list']({}, direct)).map((x) => [x.id, x.name])).toEqual([
      [added.id, 'renamed'],
    ]);
  });

  it("a key the server stops taking is REMOTE_AUTH (chat and proxy alike, a 502 rather than the client's 401); a refused connection is REMOTE_REFUSED", async () => {
    const core = await start();
    mode = 'ok';
    const added = await core.handlers['remote.add']({ url: url(), apiKey: KEY }, direct);
    await core.handlers['remote.connect']({ id: added.id, model: MODEL }, direct);
    const endpoint = core.backend.endpoint()!;
    expect(endpoint.remote).toBe(true);

    mode = 'revoked';
    const conv = await core.handlers['conversations.create']({}, direct);
    const sent = await core.handlers['chat.send']({ conversationId: conv.id, content: 'Hi' }, direct);
    await core.conversationChat.idle();
    const reply = core.conversations.repo.get(conv.id).messages.find((m) => m.id === sent.replyMessageId)!;
    expect(reply.status).toBe('error');
    expect(reply.error).toMatchObject({ code: 'REMOTE_AUTH', params: { url: url(), status: 401 } });

    const token = 'tok-revoked';
    // The endpoint as it was when ready, so that the refused connection below reaches the proxy's own request.
    const api = await startHttpTransport({ core, endpoint: () => endpoint, token, staticDir: null });
    const ask = () =>
      fetch(`${api.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-language': 'zh-CN' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      });
    try {
      const denied = await ask();
      expect(denied.status).toBe(502);
      const deniedBody = (await denied.json()) as { error: { code: string; message: string } };
      expect(deniedBody.error.code).toBe('REMOTE_AUTH');
      // In the client's language.
      expect(deniedBody.error.message).toMatch(/[\u4e00-\u9fff]/);

      mode = 'ok';
      await close();
      const refused = await ask();
      expect(refused.status).toBe(502);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('REMOTE_REFUSED');
    } finally {
      await api.close();
      await listen(port);
    }
  });

  it('a server that goes away crashes the run with a typed error; the supervision reconnects once it is back', async () => {
    const core = await start();
    mode = 'ok';
    const added = await core.handlers['remote.add']({ url: url(), apiKey: KEY }, direct);
    await core.handlers['remote.connect']({ id: added.id, model: MODEL }, direct);
    const runBefore = core.backend.status().runId;
    await close();
    const crashed = await waitForStatus(core, (s) => s.state === 'crashed', 20_000);
    expect(crashed.error?.code).toBe('REMOTE_REFUSED');
    expect(crashed.kind).toBe('external');
    expect(crashed.recovery?.phase).toBe('restarting');
    await listen(port);
    const back = await waitForStatus(core, (s) => s.state === 'ready' && s.runId > runBefore, 30_000);
    expect(back.kind).toBe('external');
    expect(back.target).toMatchObject({ kind: 'external', serverId: added.id, model: MODEL });
    expect(core.backend.endpoint()?.model).toBe(MODEL);
  });
});
