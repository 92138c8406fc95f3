/**
 * The desktop path without an Electron binary: the real preload (with `electron` replaced by an in-memory
 * ipcMain/ipcRenderer pair, since no Electron binary can run here) talking to the real IPC transport, core and
 * llama-server. Checks the preload exposes exactly the contract, and that a streamed reply and its cancel work.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { DeepLocalBridge } from '../shared/contract';
import { IPC_NEW_PAGE, ipcSubscribeChannel, methodNames } from '../shared/contract';
import { streamChat } from '../shared/chat-stream';
import { AppError } from '../shared/errors';
import { ipcClient } from '../shared/ipc-client';
import { startApp, waitForStatus, type AppUnderTest } from './helpers';
import { registerIpc, type IpcSubscriber } from '../transport/ipc';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');

const fake = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, params: unknown) => unknown>();
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  const exposed: Record<string, unknown> = {};
  const messages: { channel: string; args: unknown[] }[] = [];
  const onMessage = new Map<string, (...args: unknown[]) => void>();
  return {
    handlers,
    listeners,
    exposed,
    messages,
    onMessage,
    electron: {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke: async (channel: string, params: unknown) => {
          const h = handlers.get(channel);
          if (!h) throw new Error(`No handler registered for '${channel}'`);
          // Electron structured-clones arguments and results across the process boundary.
          return structuredClone(await h({}, structuredClone(params)));
        },
        on: (channel: string, l: (event: unknown, payload: unknown) => void) => {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel)!.add(l);
        },
        removeListener: (channel: string, l: (event: unknown, payload: unknown) => void) =>
          listeners.get(channel)?.delete(l),
        send: (channel: string, ...args: unknown[]) => {
          messages.push({ channel, args: structuredClone(args) });
          onMessage.get(channel)?.(...structuredClone(args));
        },
      },
    },
  };
});
vi.mock('electron', () => fake.electron);

let app: AppUnderTest;
let bridge: DeepLocalBridge;
/** The one renderer of this test, as main.ts describes a webContents; `resets` fire its navigation/close hooks. */
const resets: ((final: boolean) => void)[] = [];
const renderer: IpcSubscriber = {
  id: 1,
  send: (channel, payload) => {
    for (const l of fake.listeners.get(channel) ?? []) l({}, structuredClone(payload));
  },
  onReset: (reset) => void resets.push(reset),
};

beforeAll(async () => {
  app = await startApp(resourcesDir);
  registerIpc(app.core, {
    handle: (channel, fn) => fake.handlers.set(channel, (_e, params) => fn(params)),
    onSubscription: (fn) =>
      void fake.onMessage.set(ipcSubscribeChannel, (event, subscribed) => fn(renderer, event, subscribed)),
  });
  (process as unknown as { contextIsolated: boolean }).contextIsolated = true;
  await import('../preload/preload');
  bridge = fake.exposed.deeplocal as DeepLocalBridge;
});
afterAll(async () => {
  await app.close();
});

describe('preload + IPC transport', () => {
  it('exposes only invoke and on, frozen, with one IPC channel per contract method', () => {
    expect(Object.keys(fake.exposed)).toEqual(['deeplocal']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect([...fake.handlers.keys()].sort()).toEqual(methodNames.map((m) => `dl:call:${m}`).sort());
  });

  it('refuses a method outside the contract without reaching the main process', async () => {
    const env = await bridge.invoke('fs.readFile' as never, { path: '/etc/passwd' });
    expect(env.ok).toBe(false);
    expect(!env.ok && env.error.code).toBe('UNKNOWN_METHOD');
  });

  it('validates params in the main process and returns errors as values', async () => {
    const client = ipcClient(bridge);
    const err = await client.call('models.inspect', { path: 42 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_PARAMS');
  });

  it('loads the model, streams a reply, cancels another mid-stream, and unsubscribes', async () => {
    const client = ipcClient(bridge);
    const states: string[] = [];
    const off = client.on('backend.status', (s) => states.push(s.state));
    await client.call('backend.start', { modelPath: tinyModel, options: { contextSize: 2048 } });
    await waitForStatus(app.core, (s) => s.state === 'ready');
    expect(states).toContain('loading');
    expect(states.at(-1)).toBe('ready');
    off();
    expect(fake.listeners.get('dl:event:backend.status')?.size ?? 0).toBe(0);

    const reply = streamChat(client, { messages: [{ role: 'user', content: 'Hi' }], sampling: { max_tokens: 20 } });
    let text = '';
    for await (const d of reply) text += (d.reasoning ?? '') + (d.content ?? '');
    const done = await reply.done;
    expect(text.length).toBeGreaterThan(0);
    expect(done.timings?.predictedTokens).toBe(20);

    const long = streamChat(client, { messages: [{ role: 'user', content: 'Go on' }], sampling: { max_tokens: 3000 } });
    for await (const _ of long) {
      await long.cancel();
      break;
    }
    const stopped = await long.done;
    expect(stopped.cancelled).toBe(true);
  });

  it('forwards an event only while the page listens, subscribing once per event however many listeners', () => {
    const bus = app.core.bus;
    const base = bus.listenerCount('telemetry.sample');
    const subMessages = () =>
      fake.messages
        .filter((m) => m.channel === ipcSubscribeChannel && m.args[0] === 'telemetry.sample')
        .map((m) => m.args[1]);
    const seen: number[] = [];
    const offA = bridge.on('telemetry.sample', () => seen.push(1));
    const offB = bridge.on('telemetry.sample', () => seen.push(2));
    expect(bus.listenerCount('telemetry.sample')).toBe(base + 1);
    expect(subMessages()).toEqual([true]);

    const sample = { t: Date.now(), gpus: [], cpu: null, backend: null } as never;
    bus.emit('telemetry.sample', sample);
    expect(seen).toEqual([1, 2]);

    offA();
    offA();
    expect(bus.listenerCount('telemetry.sample')).toBe(base + 1);
    offB();
    expect(subMessages()).toEqual([true, false]);
    expect(bus.listenerCount('telemetry.sample')).toBe(base);
    bus.emit('telemetry.sample', sample);
    expect(seen).toEqual([1, 2]);
  });

  it('forwards a conversation stream only for the conversations the page subscribed, each to its own listener', () => {
    const bus = app.core.bus;
    const client = ipcClient(bridge);
    const seen: string[] = [];
    const offA = client.on('conversation.stream', (e) => seen.push(`a:${e.conversationId}`), 'c1');
    const offB = client.on('conversation.stream', (e) => seen.push(`b:${e.conversationId}`), 'c2');
    const offNone = client.on('conversation.stream', (e) => seen.push(`none:${e.conversationId}`));
    const title = (conversationId: string) => ({ type: 'title', conversationId, title: 'T' }) as const;
    for (const c of ['c1', 'c2', 'c3']) bus.emit('conversation.stream', title(c));
    expect(seen).toEqual(['a:c1', 'b:c2']);
    // Main was asked for the two topics only, once each.
    const subs = fake.messages
      .filter(
        (m) =>
          m.channel === ipcSubscribeChannel &&
          (m.args[0] as { event?: string } | null)?.event === 'conversation.stream',
      )
      .map((m) => m.args);
    expect(subs).toEqual([
      [{ event: 'conversation.stream', topic: 'c1' }, true],
      [{ event: 'conversation.stream', topic: 'c2' }, true],
    ]);
    offA();
    offB();
    offNone();
    expect(bus.listenerCount('conversation.stream')).toBe(0);
  });

  it("drops a renderer's subscriptions when a new page loads in it, or when it crashes or closes", () => {
    // The preload announced its page when it loaded, before any subscription.
    expect(fake.messages.find((m) => m.channel === ipcSubscribeChannel)?.args).toEqual([null, IPC_NEW_PAGE]);
    const bus = app.core.bus;
    const base = bus.listenerCount('alert');
    const newPage = () => fake.onMessage.get(ipcSubscribeChannel)!(null, IPC_NEW_PAGE);

    // A reload: the next page's preload says so, and the old page's subscriptions go.
    const off = bridge.on('alert', () => undefined);
    expect(bus.listenerCount('alert')).toBe(base + 1);
    newPage();
    expect(bus.listenerCount('alert')).toBe(base);
    off();
    expect(bus.listenerCount('alert')).toBe(base);

    // A crashed renderer process.
    const off2 = bridge.on('alert', () => undefined);
    expect(bus.listenerCount('alert')).toBe(base + 1);
    for (const reset of resets) reset(false);
    expect(bus.listenerCount('alert')).toBe(base);
    off2();
    expect(bus.listenerCount('alert')).toBe(base);
  });

  it('answers shell.pickModelFile with UNSUPPORTED when the shell gives no dialog', async () => {
    const err = await ipcClient(bridge)
      .call('shell.pickModelFile', {})
      .catch((e: unknown) => e);
    expect((err as AppError).code).toBe('UNSUPPORTED');
  });
});
