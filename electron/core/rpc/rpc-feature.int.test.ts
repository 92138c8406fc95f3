/**
 * The rpc.* contract on the composed core with real processes: worker mode through its handlers (running, event,
 * saved, stopped), started by init from the settings and ended by dispose; the start step skipping a worker that
 * cannot be reached (a note in the backend log) and using the one that can.
 */
import { describe, expect, inject, it } from 'vitest';
import type { RpcWorkerMode } from '../../shared/backends';
import { defaultLoadOptions } from '../../shared/schemas';
import { coreUnderTest } from '../../test/core-under-test';
import { waitForStatus } from '../../test/helpers';
import { freePort } from '../util/free-port';
import { checkRpcWorker } from './protocol';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const direct = { transport: 'direct' as const };
const cores = coreUnderTest(resourcesDir);

describe('rpc.* on the composed core', () => {
  it('worker mode: start (saved, announced), answers RPC, stop', { timeout: 180_000 }, async () => {
    const c = await cores.start({ prefix: 'dl-rpcf-', rpc: { checkTimeoutMs: 10_000 } });
    const events: RpcWorkerMode[] = [];
    c.bus.on('rpc.workerMode', (m) => events.push(m));
    expect(await c.handlers['rpc.workerMode']({}, direct)).toMatchObject({ state: 'stopped', pid: null });
    const port = await freePort();
    const m = await c.handlers['rpc.startWorkerMode']({ host: '127.0.0.1', port, threads: 1 }, direct);
    expect(m).toMatchObject({
      state: 'running',
      host: '127.0.0.1',
      port,
      exposed: false,
      addresses: [`127.0.0.1:${port}`],
    });
    expect(m.pid).toBeGreaterThan(0);
    expect(events.map((e) => e.state)).toEqual(['starting', 'running']);
    expect((await c.handlers['settings.get']({}, direct)).rpc.worker).toMatchObject({
      enabled: true,
      port,
      threads: 1,
    });
    expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 10_000 })).ok).toBe(true);

    expect(await c.handlers['rpc.stopWorkerMode']({}, direct)).toMatchObject({ state: 'stopped', pid: null });
    expect((await c.handlers['settings.get']({}, direct)).rpc.worker.enabled).toBe(false);
    expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 })).error?.params?.reason).toMatch(/refused/);

    // A host ggml-rpc-server cannot bind (it takes IPv4 literals only): refused before anything runs.
    await expect(c.handlers['rpc.startWorkerMode']({ host: 'localhost', port }, direct)).rejects.toMatchObject({
      code: 'RPC_BAD_ADDRESS',
    });
    expect((await c.handlers['rpc.workerMode']({}, direct)).state).toBe('failed');
  });

  it('init starts worker mode from the settings; dispose ends it', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const c = await cores.start({
      prefix: 'dl-rpcf-',
      settings: { rpc: { worker: { enabled: true, host: '127.0.0.1', port, threads: 1, cache: true } } },
    });
    await expect
      .poll(async () => (await c.handlers['rpc.workerMode']({}, direct)).state, { timeout: 90_000, interval: 200 })
      .toBe('running');
    expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 10_000 })).ok).toBe(true);
    await c.dispose();
    expect((await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 })).error?.params?.reason).toMatch(/refused/);
  });

  it(
    'the start step uses the worker that answers and skips, in words, the one that does not',
    { timeout: 300_000 },
    async () => {
      const c = await cores.start({ prefix: 'dl-rpcf-', rpc: { checkTimeoutMs: 10_000 } });
      const port = await freePort();
      await c.handlers['rpc.startWorkerMode']({ host: '127.0.0.1', port, threads: 1 }, direct);
      const deadPort = await freePort();
      const live = await c.handlers['rpc.addWorker']({ host: '127.0.0.1', port }, direct);
      const dead = await c.handlers['rpc.addWorker']({ host: '127.0.0.1', port: deadPort }, direct);
      expect(live.lastCheck?.ok).toBe(true);
      expect(dead.lastCheck?.error?.code).toBe('RPC_UNREACHABLE');
      await expect(c.handlers['rpc.addWorker']({ host: '::1', port: 1 }, direct)).rejects.toMatchObject({
        code: 'RPC_BAD_ADDRESS',
      });
      await expect(c.handlers['rpc.checkWorker']({ id: 'w-missing' }, direct)).rejects.toMatchObject({
        code: 'RPC_WORKER_NOT_FOUND',
      });

      // Started as the model page does: a whole options object, its rpcServers empty (not a choice of none).
      await c.handlers['backend.start'](
        { modelPath: tinyModel, options: { ...defaultLoadOptions(), contextSize: 512, threads: 1 } },
        direct,
      );
      const ready = await waitForStatus(c, (s) => s.state === 'ready', 180_000);
      expect(ready.options?.rpcServers).toEqual([`127.0.0.1:${port}`]);
      const notes = c.backend.recentLogs(500).map((l) => l.text);
      expect(notes.some((t) => t.includes(`RPC worker 127.0.0.1:${deadPort} skipped`) && /refused/.test(t))).toBe(true);
      // A reply through the worker.
      const ended = new Promise<string>((resolve) => {
        const off = c.bus.on('chat.event', (e) => {
          if (e.requestId === 'one' && e.type !== 'delta') {
            off();
            resolve(e.type);
          }
        });
      });
      await c.handlers['chat.start'](
        { requestId: 'one', messages: [{ role: 'user', content: 'hi' }], sampling: { max_tokens: 4, seed: 1 } },
        direct,
      );
      expect(await ended).toBe('done');
      await c.handlers['backend.stop']({}, direct);

      // Disabled: not used, not checked.
      await c.handlers['rpc.setWorkerEnabled']({ id: live.id, enabled: false }, direct);
      await c.handlers['rpc.removeWorker']({ id: dead.id }, direct);
      await c.handlers['backend.start']({ modelPath: tinyModel, options: { contextSize: 512, threads: 1 } }, direct);
      const again = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 180_000);
      expect(again.options?.rpcServers).toEqual([]);
      expect(again.target).toEqual({ kind: 'llama-cpp', rpcWorkers: [] });
      await c.handlers['backend.stop']({}, direct);

      // Named by the caller (the API): each address checked, the one that answers used.
      const named = [`127.0.0.1:${deadPort}`, `127.0.0.1:${port}`];
      await c.handlers['backend.start'](
        { modelPath: tinyModel, options: { contextSize: 512, threads: 1, rpcServers: named } },
        direct,
      );
      const third = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > again.runId, 180_000);
      expect(third.options?.rpcServers).toEqual([`127.0.0.1:${port}`]);
      await c.handlers['backend.stop']({}, direct);
    },
  );
});
