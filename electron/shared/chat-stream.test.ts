/**
 * streamChat turns the shared `chat.event` stream into one handle per reply. Driven here by a fake ContractClient
 * (the transport is not under test; the real one is in the integration tests): the handle must see only its own
 * requestId, in order, end on done, and fail with the server's AppError.
 */
import { describe, expect, it } from 'vitest';
import type { ContractClient, EventName, MethodName } from './contract';
import { AppError } from './errors';
import type { ChatEvent } from './schemas';
import { streamChat, type ChatDelta } from './chat-stream';

function fakeClient(opts: { start?: (params: { requestId: string }) => Promise<unknown> } = {}) {
  const listeners = new Set<(ev: ChatEvent) => void>();
  const log: string[] = [];
  const calls: { method: MethodName; params: Record<string, unknown> }[] = [];
  const client = {
    async call(method: MethodName, params: Record<string, unknown>) {
      log.push(`call ${method}`);
      calls.push({ method, params });
      if (method === 'chat.start')
        return opts.start ? opts.start(params as { requestId: string }) : { requestId: params.requestId };
      if (method === 'chat.cancel') return { cancelled: true };
      throw new Error(`unexpected ${method}`);
    },
    on(event: EventName, l: (ev: ChatEvent) => void) {
      log.push(`on ${event}`);
      listeners.add(l);
      return () => listeners.delete(l);
    },
  } as unknown as ContractClient;
  const emit = (ev: ChatEvent) => {
    for (const l of [...listeners]) l(ev);
  };
  return { client, emit, calls, log, listeners };
}

const msgs = [{ role: 'user' as const, content: 'hi' }];
const delta = (requestId: string, content?: string, reasoning?: string): ChatEvent => ({
  type: 'delta',
  requestId,
  ...(content !== undefined ? { content } : {}),
  ...(reasoning !== undefined ? { reasoning } : {}),
});
const done = (requestId: string): Extract<ChatEvent, { type: 'done' }> => ({
  type: 'done',
  requestId,
  finishReason: 'stop',
  cancelled: false,
  timings: null,
});

async function collect(it: AsyncIterable<ChatDelta>): Promise<ChatDelta[]> {
  const out: ChatDelta[] = [];
  for await (const d of it) out.push(d);
  return out;
}

describe('streamChat', () => {
  it('subscribes before starting, so a first delta sent with the start reply cannot be missed', () => {
    const f = fakeClient();
    streamChat(f.client, { messages: msgs });
    expect(f.log).toEqual(['on chat.event', 'call chat.start']);
  });

  it('starts with the messages, a fresh requestId, and sampling only when given', () => {
    const f = fakeClient();
    const a = streamChat(f.client, { messages: msgs });
    const b = streamChat(f.client, { messages: msgs, sampling: { temperature: 0.2 } });
    expect(a.requestId).not.toBe(b.requestId);
    expect(f.calls[0]).toEqual({ method: 'chat.start', params: { requestId: a.requestId, messages: msgs } });
    expect(f.calls[1]).toEqual({
      method: 'chat.start',
      params: { requestId: b.requestId, messages: msgs, sampling: { temperature: 0.2 } },
    });
  });

  it('yields deltas in order (also those that arrived before iteration began), then ends on done', async () => {
    const f = fakeClient();
    const onDelta: ChatDelta[] = [];
    const h = streamChat(f.client, { messages: msgs, onDelta: (d) => onDelta.push(d) });
    const id = h.requestId;
    f.emit(delta(id, undefined, 'thinking'));
    f.emit(delta(id, 'Hel'));
    const collected = collect(h);
    f.emit(delta(id, 'lo'));
    await Promise.resolve();
    f.emit(delta(id, '!'));
    f.emit(done(id));
    const got = await collected;
    expect(got.map((d) => d.content ?? `[${d.reasoning}]`)).toEqual(['[thinking]', 'Hel', 'lo', '!']);
    expect(onDelta).toEqual(got);
    await expect(h.done).resolves.toEqual(done(id));
    // The subscription ends with the reply: long chats must not accumulate listeners.
    expect(f.listeners.size).toBe(0);
  });

  it('ignores events for other requestIds, including their done and error', async () => {
    const f = fakeClient();
    const h = streamChat(f.client, { messages: msgs });
    const collected = collect(h);
    f.emit(delta('other', 'not mine'));
    f.emit(done('other'));
    f.emit({ type: 'error', requestId: 'other', error: { code: 'CHAT_FAILED', message: 'x' } });
    f.emit(delta(h.requestId, 'mine'));
    f.emit(done(h.requestId));
    expect((await collected).map((d) => d.content)).toEqual(['mine']);
    await expect(h.done).resolves.toMatchObject({ requestId: h.requestId });
  });

  it('an error event rejects done with the AppError and ends iteration with it, after the deltas before it', async () => {
    const f = fakeClient();
    const h = streamChat(f.client, { messages: msgs });
    const got: ChatDelta[] = [];
    const iterated = (async () => {
      for await (const d of h) got.push(d);
    })();
    f.emit(delta(h.requestId, 'partial'));
    f.emit({
      type: 'error',
      requestId: h.requestId,
      error: { code: 'UPSTREAM_ERROR', message: 'boom', params: { reason: 'context full' } },
    });
    const err = await h.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', params: { reason: 'context full' } });
    await expect(iterated).rejects.toBe(err);
    expect(got.map((d) => d.content)).toEqual(['partial']);
    expect(f.listeners.size).toBe(0);
  });

  it('a rejected chat.start (no model running) rejects done and ends iteration', async () => {
    const f = fakeClient({
      start: async () => {
        throw new AppError('BACKEND_NOT_READY');
      },
    });
    const h = streamChat(f.client, { messages: msgs });
    await expect(h.done).rejects.toMatchObject({ code: 'BACKEND_NOT_READY' });
    await expect(collect(h)).rejects.toMatchObject({ code: 'BACKEND_NOT_READY' });
    expect(f.listeners.size).toBe(0);
  });

  it('cancel asks the core to cancel this requestId; the reply still ends through its done event', async () => {
    const f = fakeClient();
    const h = streamChat(f.client, { messages: msgs });
    await h.cancel();
    expect(f.calls.at(-1)).toEqual({ method: 'chat.cancel', params: { requestId: h.requestId } });
    f.emit({ type: 'done', requestId: h.requestId, finishReason: 'cancelled', cancelled: true, timings: null });
    await expect(h.done).resolves.toMatchObject({ cancelled: true });
    expect(await collect(h)).toEqual([]);
  });
});
