/**
 * The IPC transport's own catch, without Electron: a subscription message from a renderer that is already gone
 * (Electron throws "Object has been destroyed" when its hooks are registered) must not throw out of main's
 * ipcMain listener (an uncaught exception in the main process), nor leave subscriptions that nothing will reset.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope, Handlers } from '../shared/contract';
import { createEventBus } from '../core/util/event-bus';
import { registerIpc, type IpcSubscriber } from './ipc';

function host() {
  const calls = new Map<string, (params: unknown) => Promise<Envelope>>();
  let listener: ((s: IpcSubscriber, event: unknown, subscribed: unknown) => void) | null = null;
  return {
    calls,
    message: (s: IpcSubscriber, event: unknown, subscribed: unknown) => listener!(s, event, subscribed),
    ipc: {
      handle: (channel: string, fn: (params: unknown) => Promise<Envelope>) => void calls.set(channel, fn),
      onSubscription: (fn: typeof listener) => void (listener = fn),
    },
  };
}

const subscriber = (id: number, onReset: IpcSubscriber['onReset']): IpcSubscriber & { sent: unknown[] } => {
  const sent: unknown[] = [];
  return { id, sent, send: (channel, payload) => sent.push([channel, payload]), onReset };
};

describe('registerIpc', () => {
  it('a subscription from a destroyed renderer is reported and dropped; others keep working', () => {
    const bus = createEventBus();
    const h = host();
    const reported: unknown[] = [];
    registerIpc({ handlers: {} as Handlers, bus }, h.ipc, (e) => reported.push(e));
    const gone = subscriber(1, () => {
      throw new TypeError('Object has been destroyed');
    });
    expect(() => h.message(gone, 'backend.log', true)).not.toThrow();
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toMatch(/destroyed/);
    expect(bus.listenerCount('backend.log')).toBe(0);

    const alive = subscriber(2, () => undefined);
    h.message(alive, 'backend.log', true);
    bus.emit('backend.log', { seq: 1, ts: 1, stream: 'stderr', text: 'x' });
    expect(alive.sent).toHaveLength(1);
    expect(gone.sent).toHaveLength(0);
  });

  it('a renderer gets a conversation stream only for the conversations it subscribed', () => {
    const bus = createEventBus();
    const h = host();
    registerIpc({ handlers: {} as Handlers, bus }, h.ipc);
    const a = subscriber(1, () => undefined);
    const b = subscriber(2, () => undefined);
    h.message(a, { event: 'conversation.stream', topic: 'c1' }, true);
    h.message(b, { event: 'conversation.stream', topic: 'c2' }, true);
    // A topical event named without a topic subscribes to nothing.
    h.message(b, 'conversation.stream', true);
    const title = (conversationId: string) => ({ type: 'title', conversationId, title: 'T' }) as const;
    bus.emit('conversation.stream', title('c1'));
    bus.emit('conversation.stream', title('c2'));
    expect(a.sent).toEqual([['dl:event:conversation.stream', title('c1')]]);
    expect(b.sent).toEqual([['dl:event:conversation.stream', title('c2')]]);
    h.message(a, { event: 'conversation.stream', topic: 'c1' }, false);
    bus.emit('conversation.stream', title('c1'));
    expect(a.sent).toHaveLength(1);
  });

  it('calls answer with an envelope whatever the params are', async () => {
    const h = host();
    registerIpc(
      {
        handlers: { 'app.info': () => Promise.reject(new Error('boom')) } as unknown as Handlers,
        bus: createEventBus(),
      },
      h.ipc,
    );
    const call = h.calls.get('dl:call:app.info')!;
    for (const params of [undefined, null, 42, 'x', [1], { extra: 1 }, {}]) {
      const env = await call(params);
      expect(env.ok).toBe(false);
      if (!env.ok) expect(['INVALID_PARAMS', 'INTERNAL']).toContain(env.error.code);
    }
  });
});
