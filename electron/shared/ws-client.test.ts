/**
 * connectWs is our own client logic over any WebSocket; a scripted fake socket stands in for the browser/`ws`
 * object (the real server path is covered by transport/http.int.test.ts). The fake throws on send() before open,
 * as browsers do, so frames sent early must really be queued.
 */
import { describe, expect, it } from 'vitest';
import type { WsServerFrame } from './contract';
import { AppError } from './errors';
import { connectWs, tokenProtocol, WS_PROTOCOL, type SocketLike } from './ws-client';

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string) {
    if (this.readyState !== 1) throw new Error('InvalidStateError: still CONNECTING');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
  }
  // ---- driven by the test ----
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: WsServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code: number, reason: string) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function setup(baseUrl = 'http://127.0.0.1:47123', token = 'T0K') {
  let socket!: FakeSocket;
  const client = connectWs(baseUrl, token, (url, protocols) => (socket = new FakeSocket(url, protocols)));
  return { client, socket };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('connectWs', () => {
  it.each([
    { base: 'http://127.0.0.1:47123', url: 'ws://127.0.0.1:47123/api/ws' },
    { base: 'http://localhost:47123/', url: 'ws://localhost:47123/api/ws' },
    { base: 'https://host.example', url: 'wss://host.example/api/ws' },
  ])('$base → $url, token as a subprotocol (never in the URL, which ends up in logs)', ({ base, url }) => {
    const { socket } = setup(base, 'secret');
    expect(socket.url).toBe(url);
    expect(socket.url).not.toContain('secret');
    expect(socket.protocols).toEqual([WS_PROTOCOL, tokenProtocol('secret')]);
  });

  it('queues frames sent before open and flushes them in order on open', async () => {
    const { client, socket } = setup();
    const p = client.call('backend.status', {});
    client.on('backend.status', () => undefined);
    expect(socket.sent).toEqual([]);
    socket.open();
    await client.ready;
    expect(socket.sent).toEqual([
      { type: 'call', id: 1, method: 'backend.status', params: {} },
      { type: 'sub', event: 'backend.status' },
    ]);
    socket.receive({ type: 'result', id: 1, ok: true, result: { state: 'stopped' } });
    await expect(p).resolves.toEqual({ state: 'stopped' });
  });

  it('resolves each call by its id, whatever order the answers come in', async () => {
    const { client, socket } = setup();
    socket.open();
    const a = client.call('models.inspect', { path: '/a.gguf' });
    const b = client.call('models.inspect', { path: '/b.gguf' });
    const [ida, idb] = socket.sent.map((f) => f.id as number);
    expect(ida).not.toBe(idb);
    socket.receive({ type: 'result', id: idb!, ok: true, result: 'B' });
    socket.receive({ type: 'result', id: ida!, ok: true, result: 'A' });
    await expect(a).resolves.toBe('A');
    await expect(b).resolves.toBe('B');
  });

  it("rejects a call with an AppError carrying the server's code and params", async () => {
    const { client, socket } = setup();
    socket.open();
    const p = client.call('models.inspect', { path: '/x.gguf' });
    socket.receive({
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'MODEL_NOT_GGUF', message: 'x', params: { path: '/x.gguf' } },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'MODEL_NOT_GGUF', params: { path: '/x.gguf' } });
  });

  it('ignores a result for an id it never sent, or one already answered', async () => {
    const { client, socket } = setup();
    socket.open();
    const p = client.call('backend.status', {});
    expect(() => socket.receive({ type: 'result', id: 999, ok: true, result: 'stray' })).not.toThrow();
    socket.receive({ type: 'result', id: 1, ok: true, result: 'first' });
    socket.receive({ type: 'result', id: 1, ok: true, result: 'second' });
    await expect(p).resolves.toBe('first');
  });

  it('fans an event out to every listener of that event and to no other', () => {
    const { client, socket } = setup();
    socket.open();
    const seen: string[] = [];
    client.on('backend.log', (l) => seen.push(`a:${l.text}`));
    client.on('backend.log', (l) => seen.push(`b:${l.text}`));
    client.on('backend.status', () => seen.push('status'));
    socket.receive({ type: 'event', event: 'backend.log', payload: { seq: 1, ts: 0, stream: 'stderr', text: 'hi' } });
    expect(seen).toEqual(['a:hi', 'b:hi']);
    // One sub per event name, however many listeners: the server fans out per connection.
    expect(socket.sent.filter((f) => f.type === 'sub')).toEqual([
      { type: 'sub', event: 'backend.log' },
      { type: 'sub', event: 'backend.status' },
    ]);
  });

  it('sends unsub only when the last listener of an event leaves, once, and sub again on re-subscribe', () => {
    const { client, socket } = setup();
    socket.open();
    const off1 = client.on('chat.event', () => undefined, 'r1');
    const off2 = client.on('chat.event', () => undefined, 'r1');
    const unsubs = () => socket.sent.filter((f) => f.type === 'unsub');
    off1();
    expect(unsubs()).toEqual([]);
    off2();
    expect(unsubs()).toEqual([{ type: 'unsub', event: 'chat.event', topic: 'r1' }]);
    // Calling an unsubscribe twice (React strict mode does) must not send a second unsub.
    off2();
    off1();
    expect(unsubs()).toHaveLength(1);
    client.on('chat.event', () => undefined, 'r1');
    expect(socket.sent.at(-1)).toEqual({ type: 'sub', event: 'chat.event', topic: 'r1' });
  });

  it('keys topical listeners on (event, topic): one sub per topic, each listener gets only its topic', () => {
    const { client, socket } = setup();
    socket.open();
    const seen: string[] = [];
    const offA = client.on('conversation.stream', (e) => seen.push(`a:${e.conversationId}`), 'c1');
    client.on('conversation.stream', (e) => seen.push(`b:${e.conversationId}`), 'c2');
    // Without a topic a topical event never arrives (the server forwards none): no listener is called.
    client.on('conversation.stream', (e) => seen.push(`none:${e.conversationId}`));
    const title = (conversationId: string) => ({ type: 'title', conversationId, title: 'T' });
    socket.receive({ type: 'event', event: 'conversation.stream', payload: title('c1') });
    socket.receive({ type: 'event', event: 'conversation.stream', payload: title('c2') });
    expect(seen).toEqual(['a:c1', 'b:c2']);
    expect(socket.sent.filter((f) => f.type === 'sub')).toEqual([
      { type: 'sub', event: 'conversation.stream', topic: 'c1' },
      { type: 'sub', event: 'conversation.stream', topic: 'c2' },
      { type: 'sub', event: 'conversation.stream' },
    ]);
    offA();
    expect(socket.sent.at(-1)).toEqual({ type: 'unsub', event: 'conversation.stream', topic: 'c1' });
    // A topic given for a plain event is ignored.
    client.on('backend.log', () => undefined, 'x');
    expect(socket.sent.at(-1)).toEqual({ type: 'sub', event: 'backend.log' });
  });

  it('a listener that unsubscribes during delivery does not make the next listener miss the event', () => {
    const { client, socket } = setup();
    socket.open();
    const seen: string[] = [];
    const off = client.on('backend.status', () => {
      seen.push('first');
      off();
    });
    client.on('backend.status', () => seen.push('second'));
    socket.receive({ type: 'event', event: 'backend.status', payload: {} });
    socket.receive({ type: 'event', event: 'backend.status', payload: {} });
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('rejects pending calls and tells onClose listeners when the connection drops', async () => {
    const { client, socket } = setup();
    socket.open();
    const reasons: string[] = [];
    client.onClose((r) => reasons.push(r));
    const p1 = client.call('backend.status', {});
    const p2 = client.call('app.info', {});
    socket.drop(1001, 'server shutting down');
    await expect(p1).rejects.toThrow(/connection closed: server shutting down/);
    await expect(p2).rejects.toThrow(/server shutting down/);
    expect(reasons).toEqual(['server shutting down']);
    // Afterwards calls fail at once instead of hanging forever in a queue.
    await expect(client.call('backend.status', {})).rejects.toThrow(/closed/);
    // And subscribing is harmless (no send on a dead socket).
    expect(() => client.on('backend.log', () => undefined)).not.toThrow();
  });

  it('a close without a reason still gives one (the code)', async () => {
    const { client, socket } = setup();
    socket.open();
    const p = client.call('backend.status', {});
    socket.drop(1006, '');
    await expect(p).rejects.toThrow('closed (1006)');
  });

  it('rejects ready and queued calls when the socket closes before it ever opened', async () => {
    const { client, socket } = setup();
    const p = client.call('backend.status', {});
    socket.drop(1006, '');
    await expect(client.ready).rejects.toThrow();
    await expect(p).rejects.toThrow(/connection closed/);
    expect(socket.sent).toEqual([]);
  });

  it('an error before open rejects ready with UNAUTHORIZED (browsers hide the 401 behind a bare error event)', async () => {
    const { client, socket } = setup();
    socket.onerror?.({});
    const err = await client.ready.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UNAUTHORIZED');
  });

  it('close() closes the socket normally and stops further sends', async () => {
    const { client, socket } = setup();
    socket.open();
    client.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    const off = client.on('backend.status', () => undefined);
    off();
    await flush();
    expect(socket.sent).toEqual([]);
  });
});
