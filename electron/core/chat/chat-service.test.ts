/**
 * toChatTimings: the speed line under each reply. llama-server's own timings are preferred; when they are absent
 * (a stopped reply, an older server) our own count must still give a sane tokens/s. Plus the ChatService paths that
 * need no model: no backend, a backend that is gone, and a cancel before the first byte.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../shared/schemas';
import { ChatTimings } from '../../shared/schemas';
import { AppError } from '../../shared/errors';
import { gateFor } from '../backends/upstream-gate';
import { ChatService, toChatTimings } from './chat-service';
import type { LlamaTimings } from './completion-client';

describe('toChatTimings', () => {
  /** No prompt figures from the server (none at all, or generation numbers only). */
  const noPrompt = { promptTokens: 0, promptMs: 0 };
  it.each<{
    name: string;
    t: LlamaTimings | undefined;
    ttft: number;
    fb: { tokens: number; ms: number };
    want: ChatTimings;
  }>([
    // Captured from the pinned llama-server: its numbers win over ours.
    {
      name: 'server timings',
      t: {
        prompt_n: 6,
        prompt_ms: 2.202,
        predicted_n: 3,
        predicted_ms: 15.786,
        predicted_per_second: 126.69453946534905,
      },
      ttft: 40,
      fb: { tokens: 99, ms: 9999 },
      want: {
        promptTokens: 6,
        promptMs: 2.202,
        predictedTokens: 3,
        predictedMs: 15.786,
        tokensPerSecond: 126.69453946534905,
        ttftMs: 40,
      },
    },
    // A cancelled reply has no server timings: count what we saw.
    {
      name: 'no server timings: fallback count and rate',
      t: undefined,
      ttft: 12,
      fb: { tokens: 50, ms: 2000 },
      want: { ...noPrompt, predictedTokens: 50, predictedMs: 2000, tokensPerSecond: 25, ttftMs: 12 },
    },
    // The rate is derived from whatever mix of numbers is present.
    {
      name: 'server counts without a rate',
      t: { predicted_n: 10, predicted_ms: 500 },
      ttft: 5,
      fb: { tokens: 1, ms: 1 },
      want: { ...noPrompt, predictedTokens: 10, predictedMs: 500, tokensPerSecond: 20, ttftMs: 5 },
    },
    // Zero elapsed time (one token, or a clock that did not tick) must not produce Infinity or NaN in the UI.
    {
      name: 'zero milliseconds',
      t: undefined,
      ttft: 0,
      fb: { tokens: 1, ms: 0 },
      want: { ...noPrompt, predictedTokens: 1, predictedMs: 0, tokensPerSecond: 0, ttftMs: 0 },
    },
    {
      name: 'nothing generated',
      t: undefined,
      ttft: 30,
      fb: { tokens: 0, ms: 0 },
      want: { ...noPrompt, predictedTokens: 0, predictedMs: 0, tokensPerSecond: 0, ttftMs: 30 },
    },
  ])('$name', ({ t, ttft, fb, want }) => {
    const got = toChatTimings(t, ttft, fb);
    expect(got).toEqual(want);
    // What goes out must pass the contract schema, since the renderer validates chat events in tests.
    expect(ChatTimings.parse(got)).toEqual(got);
  });
});

/** A loopback port with nothing listening: the backend went away between "ready" and the request. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function service(baseUrl: string | null) {
  const events: ChatEvent[] = [];
  let settle!: () => void;
  const ended = new Promise<void>((r) => (settle = r));
  const svc = new ChatService({
    endpoint: () => (baseUrl ? { baseUrl, apiKey: 'k' } : null),
    emit: (ev) => {
      events.push(ev);
      if (ev.type !== 'delta') settle();
    },
  });
  return { svc, events, ended };
}

const msgs = [{ role: 'user' as const, content: 'hi' }];

describe('ChatService without a model', () => {
  it('refuses to start when no backend is ready (BACKEND_NOT_READY, synchronously, nothing emitted)', () => {
    const { svc, events } = service(null);
    let err: unknown;
    try {
      svc.start('r1', msgs, {});
    } catch (e) {
      err = e;
    }
    expect((err as AppError).code).toBe('BACKEND_NOT_READY');
    expect(events).toEqual([]);
    expect(svc.inFlight).toBe(0);
  });

  it('reports a backend that is gone as an error event for that requestId, and frees the slot', async () => {
    const { svc, events, ended } = service(`http://127.0.0.1:${await closedPort()}`);
    svc.start('r1', msgs, {});
    expect(svc.inFlight).toBe(1);
    // The same id cannot stream twice: events would be impossible to tell apart.
    expect(() => svc.start('r1', msgs, {})).toThrow(AppError);
    await ended;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', requestId: 'r1', error: { code: 'CHAT_FAILED' } });
    expect(svc.inFlight).toBe(0);
  });

  it('a cancel before any byte arrived ends with done(cancelled), not an error', async () => {
    const { svc, events, ended } = service(`http://127.0.0.1:${await closedPort()}`);
    svc.start('r2', msgs, {});
    expect(svc.cancel('r2')).toBe(true);
    await ended;
    expect(events).toEqual([
      { type: 'done', requestId: 'r2', finishReason: 'cancelled', cancelled: true, timings: null },
    ]);
    expect(svc.cancel('r2')).toBe(false);
  });
});

describe('ChatService behind the backend gate', () => {
  it('refuses a reply beyond the queue with BACKEND_QUEUE_FULL (synchronously, nothing emitted); one stopped while queued leaves the queue', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const gate = gateFor({ baseUrl: base });
    gate.setLimits({ maxInFlight: 1, maxQueued: 1 });
    const busy = gate.enter(); // another client holds the only place
    const { svc, events, ended } = service(base);
    svc.start('q1', msgs, {});
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 1 });
    let err: unknown;
    try {
      svc.start('q2', msgs, {});
    } catch (e) {
      err = e;
    }
    expect((err as AppError).code).toBe('BACKEND_QUEUE_FULL');
    expect(svc.inFlight).toBe(1);
    expect(svc.cancel('q1')).toBe(true);
    await ended;
    expect(events).toEqual([
      { type: 'done', requestId: 'q1', finishReason: 'cancelled', cancelled: true, timings: null },
    ]);
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 0 });
    busy.release();
    expect(gate.idle).toBe(true);
  });

  it('a reply stopped because the backend crashed ends with that error, not as cancelled', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const gate = gateFor({ baseUrl: base });
    gate.setLimits({ maxInFlight: 1, maxQueued: 1 });
    const busy = gate.enter();
    const { svc, events, ended } = service(base);
    svc.start('c1', msgs, {});
    svc.cancelAll(new AppError('BACKEND_CRASHED', { reason: 'signal SIGKILL' }));
    await ended;
    expect(events).toEqual([
      { type: 'error', requestId: 'c1', error: expect.objectContaining({ code: 'BACKEND_CRASHED' }) },
    ]);
    busy.release();
  });
});
