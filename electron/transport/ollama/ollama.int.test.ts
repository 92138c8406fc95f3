/**
 * The Ollama-compatible API against the real core and a real llama-server (tiny synthetic models): /api/tags lists
 * the library, /api/chat streams NDJSON ending with done:true and llama-server's counts, /api/generate with
 * stream:false, a foreign Origin refused, a taken port moved aside, just-in-time loading of another installed model
 * and its idle unload, and beside it the OpenAI path's /v1/completions and /v1/embeddings.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCore, type Core } from '../../core/app';
import { ensureTestModel } from '../../../scripts/make-test-model.mjs';
import { pathWithoutGpuTools, tmpDir, waitForStatus, waitUntil } from '../../test/helpers';
import { startHttpTransport, type HttpTransport } from '../http';
import { createOllamaController, type OllamaController } from './controller';
import { ollamaControllerFor } from './for-core';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const token = 'ollama-test-token-0123456789abcdef';
/** One "minute" of settings.api.jitIdleMinutes in this test. */
const MINUTE_MS = 1500;

let core: Core;
let http: HttpTransport;
let ollama: OllamaController;
let dataDir: string;
let alpha: string;
let beta: string;
let base: string;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const v1 = (p: string, body: unknown) =>
  fetch(`${http.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  dataDir = tmpDir('dl-ollama-');
  const models = path.join(dataDir, 'models');
  fs.mkdirSync(models);
  alpha = path.join(models, 'alpha.gguf');
  beta = path.join(models, 'Beta-Tiny.gguf');
  fs.copyFileSync(tinyModel, alpha);
  fs.copyFileSync(await ensureTestModel({ preset: 'tiny', seed: 2 }), beta);
  const port = await freePort();
  fs.writeFileSync(
    path.join(dataDir, 'settings.json'),
    JSON.stringify({
      loadOptions: { contextSize: 2048 },
      api: { ollamaEnabled: true, ollamaPort: port, jitIdleMinutes: 1 },
    }),
  );
  core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    env: { ...process.env, PATH: pathWithoutGpuTools() },
    jit: { minuteMs: MINUTE_MS },
    apiServers: () => ({ ollama: () => ollama.state() }),
  });
  http = await startHttpTransport({ core, endpoint: () => core.backend.endpoint(), token, staticDir: null });
  ollama = ollamaControllerFor(core, { onChange: () => core.api.statusChanged() });
  await ollama.start();
  base = ollama.state().urls[0]!;
  await core.handlers['backend.start']({ modelPath: alpha }, { transport: 'direct' });
  await waitForStatus(core, (s) => s.state === 'ready', 60_000);
}, 120_000);

afterAll(async () => {
  await ollama?.close();
  await http?.close();
  await core?.dispose();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Ollama-compatible API', () => {
  it('listens on the port from Settings and says so in api.status', async () => {
    const st = await core.handlers['api.status']({}, { transport: 'direct' });
    expect(st.ollama).toMatchObject({ enabled: true, listening: true, portFallback: false, urls: [base] });
    const root = await fetch(`${base}/`);
    expect(await root.text()).toBe('Ollama is running');
    expect(((await (await fetch(`${base}/api/version`)).json()) as { version: string }).version).toMatch(/^\d+\.\d+/);
  });

  it('/api/tags lists the installed models by their Ollama names', async () => {
    const tags = (await (await fetch(`${base}/api/tags`)).json()) as {
      models: { name: string; size: number; details: { format: string; family: string } }[];
    };
    expect(tags.models.map((m) => m.name).sort()).toEqual(['alpha:latest', 'beta-tiny:latest']);
    expect(tags.models[0]).toMatchObject({
      size: fs.statSync(alpha).size,
      details: { format: 'gguf', family: 'qwen2' },
    });
  });

  it("/api/show describes a model; an unknown one is 404 with Ollama's error string", async () => {
    const show = (await (await post('/api/show', { model: 'alpha' })).json()) as Record<string, unknown>;
    expect(show).toMatchObject({ details: { format: 'gguf' }, model_info: { 'general.architecture': 'qwen2' } });
    const missing = await post('/api/show', { model: 'llama3:8b' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      code: 'MODEL_NOT_INSTALLED',
      error: expect.stringContaining('llama3:8b'),
    });
  });

  it('/api/chat streams NDJSON and ends with done:true and the counts', async () => {
    const res = await post('/api/chat', {
      model: 'alpha:latest',
      messages: [{ role: 'user', content: 'Say something.' }],
      think: true,
      options: { num_predict: 12, temperature: 0, seed: 1, num_ctx: 99999 },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const all = lines(await res.text());
    expect(all.length).toBeGreaterThan(2);
    const last = all[all.length - 1]!;
    for (const l of all.slice(0, -1)) expect(l).toMatchObject({ model: 'alpha:latest', done: false });
    expect(last).toMatchObject({ done: true, done_reason: 'length', eval_count: 12, message: { role: 'assistant' } });
    expect(last.prompt_eval_count).toBeGreaterThan(0);
    expect(last.total_duration).toBeGreaterThan(last.eval_duration as number);
    // The tiny model's template thinks first: with think:true that arrives as message.thinking.
    const text = all.map((l) => {
      const m = l.message as { content: string; thinking?: string };
      return (m.thinking ?? '') + m.content;
    });
    expect(text.join('').length).toBeGreaterThan(0);
  });

  it('/api/generate with stream:false answers one object', async () => {
    const res = await post('/api/generate', {
      model: 'alpha.gguf',
      prompt: 'Once upon a time',
      stream: false,
      options: { num_predict: 8 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ model: 'alpha.gguf', done: true, done_reason: 'length', eval_count: 8 });
    // Without `think`, the reasoning stays in the text inside <think>…, as Ollama served R1.
    expect(String(body.response)).toMatch(/^<think>\n/);
  });

  it('refuses a page from a foreign Origin with 403 and JSON; a loopback page gets CORS', async () => {
    const bad = await fetch(`${base}/api/tags`, { headers: { origin: 'https://evil.example' } });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ code: 'FORBIDDEN_ORIGIN', error: expect.any(String) });
    const chat = await post(
      '/api/chat',
      { model: 'alpha', messages: [{ role: 'user', content: 'x' }] },
      { origin: 'https://evil.example' },
    );
    expect(chat.status).toBe(403);
    const good = await fetch(`${base}/api/tags`, { headers: { origin: 'http://localhost:3000' } });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    // Allowed in Settings (OLLAMA_ORIGINS' counterpart).
    await core.handlers['settings.update'](
      { api: { ollamaOrigins: ['chrome-extension://*'] } },
      { transport: 'direct' },
    );
    await waitUntil(() => true, 50);
    const ext = await fetch(`${base}/api/tags`, { headers: { origin: 'chrome-extension://abc' } });
    expect(ext.status).toBe(200);
  });

  it('refuses a Host that is not loopback (DNS rebinding)', async () => {
    const port = new URL(base).port;
    const status = await new Promise<string>((resolve, reject) => {
      const s = net.connect(Number(port), '127.0.0.1', () =>
        s.write(`GET /api/tags HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`),
      );
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('end', () => resolve(data.split('\r\n')[0]!));
      s.on('error', reject);
    });
    expect(status).toMatch(/^HTTP\/1.1 403/);
  });

  it('a taken port: listens on another and reports portFallback', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const api = { ...(await core.settings.get()).api, ollamaEnabled: true, ollamaPort: taken };
    const other = createOllamaController({
      server: {
        jit: core.jit,
        status: () => core.backend.status(),
        installed: () => core.models.library.list(),
        note: () => undefined,
      },
      settings: async () => api,
      watch: () => () => undefined,
    });
    try {
      await other.start();
      const st = other.state();
      expect(st).toMatchObject({ enabled: true, listening: true, portFallback: true });
      expect(new URL(st.urls[0]!).port).not.toBe(String(taken));
      expect(await (await fetch(`${st.urls[0]}/`)).text()).toBe('Ollama is running');
    } finally {
      await other.close();
      blocker.close();
    }
  });

  it('/v1/completions works; /v1/embeddings is 501 without --embeddings', async () => {
    const res = await v1('/v1/completions', { prompt: 'Hello', max_tokens: 5 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { text: string }[]; usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(5);
    expect(typeof body.choices[0]!.text).toBe('string');
    const emb = await v1('/v1/embeddings', { input: 'Hello' });
    expect(emb.status).toBe(501);
    expect(await emb.json()).toMatchObject({ error: { code: 'EMBEDDINGS_UNSUPPORTED' } });
    const bad = await v1('/v1/completions', { max_tokens: 5 });
    expect(bad.status).toBe(400);
  });

  it('serves the OpenAI API on its port too, without a key, as Ollama does', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'alpha',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(3);
    expect((await fetch(`${base}/v1/models`)).status).toBe(200);
    const foreign = await post(
      '/v1/chat/completions',
      { messages: [{ role: 'user', content: 'hi' }] },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
  });

  it('an unknown model is 404 on the Ollama path', async () => {
    const res = await post('/api/chat', { model: 'nope:7b', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'MODEL_NOT_INSTALLED' });
  });

  it(
    'JIT: a request naming another installed model loads it; the idle timer unloads it',
    { timeout: 120_000 },
    async () => {
      const res = await post('/api/chat', {
        model: 'beta-tiny:latest',
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        options: { num_predict: 4 },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ done: true, eval_count: 4 });
      expect(body.load_duration).toBeGreaterThan(0);
      expect(core.backend.status().model?.path).toBe(beta);
      const st = await core.handlers['api.status']({}, { transport: 'direct' });
      expect(st.jit.model).toBe(core.backend.status().model?.name);
      expect(st.jit.unloadAt).toBeGreaterThan(Date.now());
      // /api/ps shows it with its unload time.
      const ps = (await (await fetch(`${base}/api/ps`)).json()) as { models: { name: string; expires_at: string }[] };
      expect(ps.models[0]).toMatchObject({ name: 'beta-tiny:latest' });
      // Idle for "one minute" (MINUTE_MS): unloaded.
      await waitForStatus(core, (s) => s.state === 'stopped', 15_000);
      expect(core.jit.state()).toEqual({ model: null, unloadAt: null });
      // And the OpenAI path loads by file name too, with nothing loaded.
      const again = await v1('/v1/chat/completions', {
        model: 'alpha.gguf',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 3,
      });
      expect(again.status).toBe(200);
      expect(core.backend.status().model?.path).toBe(alpha);
    },
  );

  it('turning the switch off stops the server', async () => {
    await core.handlers['settings.update']({ api: { ollamaEnabled: false } }, { transport: 'direct' });
    expect(await waitUntil(() => !ollama.state().listening, 5000)).toBe(true);
    await expect(fetch(`${base}/api/version`)).rejects.toThrow();
  });
});
