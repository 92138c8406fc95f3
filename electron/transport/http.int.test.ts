/**
 * The HTTP + WebSocket transport and the OpenAI-compatible endpoint against a real llama-server: streaming through
 * the contract (WS) and through /v1, cancel mid-stream, and every guard (token, Host, Origin, JSON, schema).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import WebSocket from 'ws';
import { streamChat } from '../shared/chat-stream';
import { AppError } from '../shared/errors';
import { connectWs, type SocketLike } from '../shared/ws-client';
import { readSse, startApp, waitForStatus, type AppUnderTest } from '../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');

let app: AppUnderTest;
const auth = () => ({ authorization: `Bearer ${app.token}` });
const url = (p: string) => `${app.http.url}${p}`;

/** Raw request with full control of Host (fetch does not allow overriding it). */
function rawRequest(
  p: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: app.http.port, path: p, method: body ? 'POST' : 'GET', headers },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  app = await startApp(resourcesDir);
});
afterAll(async () => {
  await app.close();
});

describe('before a model is loaded', () => {
  it('answers /v1 with 503 BACKEND_NOT_READY and the contract with a stopped status', async () => {
    const res = await fetch(url('/v1/chat/completions'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BACKEND_NOT_READY');
    const ws = await app.ws();
    expect((await ws.call('backend.status', {})).state).toBe('stopped');
    const err = await ws
      .call('chat.start', { requestId: 'x', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((err as AppError).code).toBe('BACKEND_NOT_READY');
  });
});

describe('guards', () => {
  const cases: {
    name: string;
    path: string;
    headers: () => Record<string, string>;
    body?: string;
    status: number;
    code: string;
  }[] = [
    { name: 'no token', path: '/v1/models', headers: () => ({}), status: 401, code: 'UNAUTHORIZED' },
    {
      name: 'wrong token',
      path: '/api/rpc/app.info',
      headers: () => ({ authorization: 'Bearer nope' }),
      body: '{}',
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'DNS-rebinding Host',
      path: '/api/rpc/app.info',
      headers: () => ({ ...auth(), host: `evil.example:${app.http.port}` }),
      body: '{}',
      status: 403,
      code: 'FORBIDDEN_HOST',
    },
    {
      name: 'Host with the wrong port',
      path: '/',
      headers: () => ({ host: '127.0.0.1:1' }),
      status: 403,
      code: 'FORBIDDEN_HOST',
    },
    {
      name: 'foreign Origin',
      path: '/api/rpc/app.info',
      headers: () => ({ ...auth(), origin: 'https://evil.example' }),
      body: '{}',
      status: 403,
      code: 'FORBIDDEN_ORIGIN',
    },
    {
      name: 'malformed JSON',
      path: '/api/rpc/models.inspect',
      headers: () => auth(),
      body: '{"path":',
      status: 400,
      code: 'BAD_JSON',
    },
    {
      name: 'schema violation',
      path: '/api/rpc/models.inspect',
      headers: () => auth(),
      body: '{"path":42}',
      status: 400,
      code: 'INVALID_PARAMS',
    },
    {
      name: 'unknown method',
      path: '/api/rpc/fs.readFile',
      headers: () => auth(),
      body: '{}',
      status: 404,
      code: 'UNKNOWN_METHOD',
    },
    {
      name: 'OpenAI body without messages',
      path: '/v1/chat/completions',
      headers: () => auth(),
      body: '{"model":"x"}',
      status: 400,
      code: 'INVALID_PARAMS',
    },
    {
      name: 'OpenAI malformed JSON',
      path: '/v1/chat/completions',
      headers: () => auth(),
      body: 'nope',
      status: 400,
      code: 'BAD_JSON',
    },
    {
      name: 'model that is not GGUF',
      path: '/api/rpc/models.inspect',
      headers: () => auth(),
      body: JSON.stringify({ path: '/etc/hostname' }),
      status: 400,
      code: 'MODEL_NOT_GGUF',
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const headers = { host: `127.0.0.1:${app.http.port}`, 'content-type': 'application/json', ...c.headers() };
      const res = await rawRequest(c.path, headers, c.body);
      expect(res.status).toBe(c.status);
      expect(JSON.parse(res.body).error.code).toBe(c.code);
    });
  }

  it('translates errors by Accept-Language', async () => {
    const res = await rawRequest(
      '/api/rpc/app.info',
      { host: `127.0.0.1:${app.http.port}`, 'accept-language': 'zh-CN,zh;q=0.9' },
      '{}',
    );
    expect(JSON.parse(res.body).error.message).toBe('访问令牌缺失或错误。');
  });

  it('refuses WebSocket upgrades without the token or from a foreign origin', async () => {
    const attempt = (protocols: string[], origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${app.http.port}/api/ws`, protocols, origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt(['deeplocal.v1'])).toBe(401);
    expect(await attempt(['deeplocal.v1', 'deeplocal.token.wrong'])).toBe(401);
    expect(await attempt(['deeplocal.v1', `deeplocal.token.${app.token}`], 'https://evil.example')).toBe(403);
    expect(await attempt(['deeplocal.v1', `deeplocal.token.${app.token}`], `http://127.0.0.1:${app.http.port}`)).toBe(
      101,
    );
  });
});

describe('with the tiny model running', () => {
  beforeAll(async () => {
    const ws = await app.ws();
    await ws.call('backend.start', { modelPath: tinyModel, options: { contextSize: 2048 } });
    await waitForStatus(app.core, (s) => s.state === 'ready');
  });

  it('streams a reply through the contract over WebSocket, with timings and TTFT', async () => {
    const ws = await app.ws();
    const handle = streamChat(ws, {
      messages: [{ role: 'user', content: 'Hello' }],
      sampling: { max_tokens: 40, seed: 1 },
    });
    let text = '';
    let deltas = 0;
    for await (const d of handle) {
      text += (d.reasoning ?? '') + (d.content ?? '');
      deltas++;
    }
    const done = await handle.done;
    expect(done.cancelled).toBe(false);
    expect(done.finishReason).toBe('length');
    // Tokens are coalesced into ~16 ms batches, so there are fewer events than tokens but more than one.
    expect(deltas).toBeGreaterThan(1);
    expect(deltas).toBeLessThanOrEqual(40);
    expect(text.length).toBeGreaterThan(20);
    expect(done.timings?.predictedTokens).toBe(40);
    expect(done.timings?.tokensPerSecond).toBeGreaterThan(0);
    expect(done.timings?.ttftMs).toBeGreaterThan(0);
  });

  it('cancels a reply mid-stream and the backend stays ready', async () => {
    const ws = await app.ws();
    let seen = 0;
    const handle = streamChat(ws, {
      messages: [{ role: 'user', content: 'Write a lot' }],
      sampling: { max_tokens: 3000 },
    });
    for await (const _ of handle) {
      if (++seen === 5) await handle.cancel();
    }
    const done = await handle.done;
    expect(done.cancelled).toBe(true);
    expect(done.timings?.predictedTokens).toBeLessThan(3000);
    expect(app.core.chat.inFlight).toBe(0);
    // The slot was freed: a new reply starts right away.
    const next = streamChat(ws, { messages: [{ role: 'user', content: 'again' }], sampling: { max_tokens: 5 } });
    expect((await next.done).timings?.predictedTokens).toBe(5);
  });

  it('passes the OpenAI SSE stream through untouched, including timings and reasoning_content', async () => {
    const res = await fetch(url('/v1/chat/completions'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: true, max_tokens: 12 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const data = await readSse(res);
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    // R1's template opens <think>, so llama-server puts the tokens in reasoning_content.
    expect(chunks.some((c) => typeof c.choices?.[0]?.delta?.reasoning_content === 'string')).toBe(true);
    const last = chunks.at(-1);
    expect(last.timings.predicted_n).toBe(12);
    expect(last.timings.predicted_per_second).toBeGreaterThan(0);
  });

  it('serves non-streaming completions and /v1/models', async () => {
    const res = await fetch(url('/v1/chat/completions'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 6 }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { object: string; usage: { completion_tokens: number } };
    expect(json.object).toBe('chat.completion');
    expect(json.usage.completion_tokens).toBe(6);
    const models = await (await fetch(url('/v1/models'), { headers: auth() })).json();
    expect(JSON.stringify(models)).toContain('DeepLocal Test Tiny');
  });

  it('cancels the backend task when an OpenAI client disconnects mid-stream', async () => {
    const ctl = new AbortController();
    const res = await fetch(url('/v1/chat/completions'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'long' }], stream: true, max_tokens: 4000 }),
      signal: ctl.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ctl.abort();
    // With one slot, a fresh request completes quickly only if the abandoned task was cancelled.
    const t0 = Date.now();
    const r2 = await fetch(url('/v1/chat/completions'), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'short' }], max_tokens: 4 }),
    });
    expect(r2.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('delivers status and log events to WebSocket subscribers, and unsubscribe stops them', async () => {
    const ws = await app.ws();
    const states: string[] = [];
    const off = ws.on('backend.status', (s) => states.push(s.state));
    await ws.call('backend.stop', {});
    await ws.call('backend.start', { modelPath: tinyModel, options: { contextSize: 2048 } });
    await waitForStatus(app.core, (s) => s.state === 'ready');
    await new Promise((r) => setTimeout(r, 100));
    expect(states).toContain('stopping');
    expect(states).toContain('loading');
    expect(states.at(-1)).toBe('ready');
    off();
    const count = states.length;
    await ws.call('backend.stop', {});
    await ws.call('backend.start', { modelPath: tinyModel, options: { contextSize: 2048 } });
    await waitForStatus(app.core, (s) => s.state === 'ready');
    expect(states.length).toBe(count);
  });

  it('a reply goes only to the clients subscribed to its requestId, never to every client', async () => {
    const other = connectWs(app.http.url, app.token, (u, p) => new WebSocket(u, p) as unknown as SocketLike);
    // A raw socket: what the server sends it, not what a client library would filter out.
    const stranger = new WebSocket(app.http.url.replace('http', 'ws') + '/api/ws', [
      'deeplocal.v1',
      `deeplocal.token.${app.token}`,
    ]);
    const strangerSaw: unknown[] = [];
    stranger.on('message', (d) => strangerSaw.push(JSON.parse(String(d))));
    await Promise.all([other.ready, new Promise((r) => stranger.once('open', r))]);
    // Subscribed without a topic (as every client was, and got every reply), and to another request's topic.
    stranger.send(JSON.stringify({ type: 'sub', event: 'chat.event' }));
    stranger.send(JSON.stringify({ type: 'sub', event: 'chat.event', topic: 'someone-else' }));
    const ws = await app.ws();
    const got: string[] = [];
    let otherText = '';
    let mine = '';
    const h = streamChat(ws, {
      messages: [{ role: 'user', content: 'x' }],
      sampling: { max_tokens: 8 },
      onDelta: (d) => (mine += (d.reasoning ?? '') + (d.content ?? '')),
    });
    // A second window following the same request names it as the topic.
    other.on(
      'chat.event',
      (e) => {
        got.push(e.type);
        if (e.type === 'delta') otherText += (e.reasoning ?? '') + (e.content ?? '');
      },
      h.requestId,
    );
    await h.done;
    await new Promise((r) => setTimeout(r, 50));
    expect(mine.length).toBeGreaterThan(0);
    expect(got.at(-1)).toBe('done');
    // It subscribed after the start, so it may have missed the first deltas, never any later one.
    expect(mine.endsWith(otherText)).toBe(true);
    expect(strangerSaw).toEqual([]);
    other.close();
    stranger.close();
  });
});
