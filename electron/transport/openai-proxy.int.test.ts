/**
 * Many requests at once against a real llama-server through the app (the /v1 proxy and chat.start), the backend
 * gate's 503 + Retry-After beyond its queue, and an SSE stream cut by a backend crash. The app's agents used to
 * hand a finished reply's socket to a waiting request, which failed with "socket hang up" past 64 at once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gateFor, gateLimits } from '../core/backends/upstream-gate';
import { streamChat } from '../shared/chat-stream';
import { AppError } from '../shared/errors';
import { readSse, startApp, waitForStatus, waitUntil, type AppUnderTest } from '../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');

let app: AppUnderTest;
const url = (p: string) => `${app.http.url}${p}`;
const post = (body: object, signal?: AbortSignal) =>
  fetch(url('/v1/chat/completions'), {
    method: 'POST',
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
const gate = () => gateFor(app.core.backend.endpoint()!);

/** Reads an SSE body until `n` data events have arrived (or it ends); returns them and the reader to go on with. */
async function readEvents(res: Response, n: number) {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while ((text.match(/\n\n/g) ?? []).length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  return { reader, text };
}

beforeAll(async () => {
  app = await startApp(resourcesDir);
  const ws = await app.ws();
  // Four slots, as a user serving a few clients would set; the other requests wait in llama-server or the gate.
  await ws.call('backend.start', { modelPath: tinyModel, options: { contextSize: 2048, parallel: 4 } });
  await waitForStatus(app.core, (s) => s.state === 'ready', 60_000);
});
afterAll(async () => {
  await app?.close();
});

describe('many at once', () => {
  it("sizes the gate from the backend's slots: 2 × 4 in flight", () => {
    expect(gate().stats().limits).toEqual({ maxInFlight: 8, maxQueued: 1024 });
  });

  it('200 concurrent /v1 streams through the proxy all complete', { timeout: 240_000 }, async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, async (_, i) => {
        const res = await post({
          messages: [{ role: 'user', content: `hi ${i}` }],
          stream: true,
          max_tokens: 4,
          seed: i,
        });
        expect(res.status).toBe(200);
        return readSse(res);
      }),
    );
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${String(r.reason)}`] : []));
    expect(failures).toEqual([]);
    for (const r of results) {
      const data = (r as PromiseFulfilledResult<string[]>).value;
      expect(data.at(-1)).toBe('[DONE]');
      expect(JSON.parse(data.at(-2)!).timings.predicted_n).toBe(4);
    }
    expect(gate().idle).toBe(true);
  });

  it('200 concurrent chat.start all complete', { timeout: 240_000 }, async () => {
    const ws = await app.ws();
    const handles = Array.from({ length: 200 }, (_, i) =>
      streamChat(ws, { messages: [{ role: 'user', content: `hello ${i}` }], sampling: { max_tokens: 4, seed: i } }),
    );
    const results = await Promise.allSettled(handles.map((h) => h.done));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`#${i}: ${String(r.reason)}`] : []));
    expect(failures).toEqual([]);
    for (const r of results)
      expect(
        (r as PromiseFulfilledResult<{ timings: { predictedTokens: number } }>).value.timings.predictedTokens,
      ).toBe(4);
    expect(app.core.chat.inFlight).toBe(0);
    expect(gate().idle).toBe(true);
  });
});

describe('beyond the queue', () => {
  afterAll(() => gate().setLimits(gateLimits(4)));

  it(
    'answers 503 with Retry-After (/v1) and BACKEND_QUEUE_FULL (chat.start); a client gone from the queue frees its spot',
    { timeout: 120_000 },
    async () => {
      gate().setLimits({ maxInFlight: 1, maxQueued: 1 });
      const running = new AbortController();
      const first = await post(
        { messages: [{ role: 'user', content: 'go on' }], stream: true, max_tokens: 1500 },
        running.signal,
      );
      await readEvents(first, 1);
      // The second waits in the gate: no answer yet, not even headers.
      const queued = new AbortController();
      let queuedAnswered = false;
      const second = post(
        { messages: [{ role: 'user', content: 'wait' }], stream: true, max_tokens: 2 },
        queued.signal,
      ).then(
        () => (queuedAnswered = true),
        () => 'aborted',
      );
      expect(await waitUntil(() => gate().stats().queued === 1, 10_000)).toBe(true);

      const refused = await post({
        messages: [{ role: 'user', content: 'one too many' }],
        stream: true,
        max_tokens: 2,
      });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('BACKEND_QUEUE_FULL');
      expect(body.error.message).toMatch(/try again/i);

      const ws = await app.ws();
      const err = await ws
        .call('chat.start', { requestId: 'over', messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BACKEND_QUEUE_FULL');
      const rpc = await fetch(url('/api/rpc/chat.start'), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${app.token}`,
          'content-type': 'application/json',
          'accept-language': 'zh-CN',
        },
        body: JSON.stringify({ requestId: 'over-http', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(rpc.status).toBe(503);
      expect(Number(rpc.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await rpc.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'BACKEND_QUEUE_FULL',
        message: expect.stringMatching(/秒后重试/),
      });

      // The queued client hangs up: it leaves the queue, and the next request is queued again rather than refused.
      queued.abort();
      expect(await second).toBe('aborted');
      expect(queuedAnswered).toBe(false);
      expect(await waitUntil(() => gate().stats().queued === 0, 10_000)).toBe(true);
      const third = streamChat(ws, { messages: [{ role: 'user', content: 'after' }], sampling: { max_tokens: 3 } });
      expect(await waitUntil(() => gate().stats().queued === 1, 10_000)).toBe(true);
      // Once the running stream goes, the queued reply runs.
      running.abort();
      expect((await third.done).timings?.predictedTokens).toBe(3);
      expect(await waitUntil(() => gate().idle, 10_000)).toBe(true);
    },
  );
});

describe('a backend crash mid-stream', () => {
  it(
    'ends the /v1 SSE stream with an OpenAI-style error event, and a waiting chat reply with the crash',
    { timeout: 120_000 },
    async () => {
      // Two places, one held by the test: the /v1 stream runs. The chat reply waits in the gate behind another ticket
      // the test holds, which takes the place the stream frees, so the reply is ended by the backend's word.
      gate().setLimits({ maxInFlight: 2, maxQueued: 4 });
      const held = gate().enter();
      const res = await post({ messages: [{ role: 'user', content: 'a long story' }], stream: true, max_tokens: 1500 });
      expect(res.status).toBe(200);
      const { reader, text: head } = await readEvents(res, 3);
      const ahead = gate().enter();
      const ws = await app.ws();
      const waiting = streamChat(ws, { messages: [{ role: 'user', content: 'queued' }], sampling: { max_tokens: 3 } });
      expect(await waitUntil(() => gate().stats().queued === 2, 10_000)).toBe(true);
      process.kill(app.core.backend.status().pid!, 'SIGKILL');
      let text = head;
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      const data = text
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim());
      expect(data).not.toContain('[DONE]');
      const last = JSON.parse(data.at(-1)!) as { error?: { code: string; type: string; message: string } };
      expect(last.error).toMatchObject({ code: 'BACKEND_CRASHED', type: 'server_error' });
      expect(last.error!.message).toMatch(/crashed/);
      // Not "stopped": the reply says the backend crashed (SIGKILL).
      const err = await waiting.done.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BACKEND_CRASHED');
      expect((err as AppError).params?.reason).toMatch(/SIGKILL/);
      await waitForStatus(app.core, (s) => s.state === 'crashed', 30_000);
      held.release();
      ahead.release();
    },
  );
});
