/**
 * Issue 15 §3's own test: two real ggml-rpc-server workers on loopback (run by our worker-mode supervisor, CPU
 * devices: lavapipe Vulkan is about 10× slower and this must hold on 2 loaded cores), added through the contract;
 * the synthetic small model split across them by a real llama-server started through the composed core; a reply
 * streams through our app; one worker killed mid-reply → typed error; the recovery restarts without it and the
 * next reply works.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ensureTestModel } from '../../../scripts/make-test-model.mjs';
import type { RpcWorkerMode } from '../../shared/backends';
import type { ChatEvent } from '../../shared/schemas';
import type { Core } from '../app';
import { coreUnderTest } from '../../test/core-under-test';
import { waitForStatus } from '../../test/helpers';
import { freePort } from '../util/free-port';
import { checkRpcWorker } from './protocol';
import { RpcWorkerSupervisor } from './worker-mode';

const resourcesDir = inject('resourcesDir');
const llamaServer = inject('llamaServer');
const direct = { transport: 'direct' as const };
const cores = coreUnderTest(resourcesDir);

const supervisors: RpcWorkerSupervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.dispose();
});

async function worker(): Promise<{ sup: RpcWorkerSupervisor; port: number; address: string; events: RpcWorkerMode[] }> {
  const events: RpcWorkerMode[] = [];
  const sup = new RpcWorkerSupervisor({
    serverPath: async () => llamaServer,
    cacheDir: `${cores.dataDir ?? '/tmp'}/rpc-cache`,
    env: process.env,
    onChange: (m) => events.push(m),
    note: () => undefined,
    readyTimeoutMs: 90_000,
  });
  supervisors.push(sup);
  const port = await freePort();
  const st = await sup.start({ enabled: true, host: '127.0.0.1', port, devices: [], threads: 1, cache: false });
  expect(st).toMatchObject({ state: 'running', exposed: false, addresses: [`127.0.0.1:${port}`] });
  return { sup, port, address: `127.0.0.1:${port}`, events };
}

/** One streamed reply through the contract: its text and how it ended. */
function chat(c: Core, requestId: string, maxTokens: number, onDelta?: () => void) {
  let text = '';
  const ended = new Promise<ChatEvent>((resolve) => {
    const off = c.bus.on('chat.event', (e) => {
      if (e.requestId !== requestId) return;
      if (e.type === 'delta') {
        text += (e.content ?? '') + (e.reasoning ?? '');
        onDelta?.();
      } else {
        off();
        resolve(e);
      }
    });
  });
  const started = c.handlers['chat.start'](
    {
      requestId,
      messages: [{ role: 'user', content: 'Tell me a long story.' }],
      sampling: { max_tokens: maxTokens, seed: 1 },
    },
    direct,
  );
  return { started, ended, text: () => text };
}

describe('llama.cpp RPC across two workers', () => {
  it(
    'splits the small model over two workers, streams, loses one mid-reply (typed), recovers without it',
    { timeout: 600_000 },
    async () => {
      const small = await ensureTestModel({ preset: 'small', seed: 1 });
      const c = await cores.start({
        prefix: 'dl-rpc-',
        healing: { backoffMs: (ms) => ms / 4 },
        rpc: { checkTimeoutMs: 15_000 },
      });
      const a = await worker();
      const b = await worker();

      // Added through the contract: checked (protocol 7, one CPU device each), saved in the settings.
      const wa = await c.handlers['rpc.addWorker']({ host: '127.0.0.1', port: a.port }, direct);
      const wb = await c.handlers['rpc.addWorker']({ host: '127.0.0.1', port: b.port }, direct);
      for (const w of [wa, wb]) {
        expect(w.lastCheck).toMatchObject({ ok: true, protocol: '7.0.0', compatible: true });
        expect(w.lastCheck!.devices).toHaveLength(1);
      }
      await expect(c.handlers['rpc.addWorker']({ host: '127.0.0.1', port: a.port }, direct)).rejects.toMatchObject({
        code: 'RPC_WORKER_EXISTS',
      });
      expect((await c.handlers['settings.get']({}, direct)).rpc.workers.map((w) => w.port)).toEqual([a.port, b.port]);

      // Started through the app: the start step hands both workers to llama-server (--rpc a,b).
      await c.handlers['backend.start']({ modelPath: small, options: { contextSize: 512, threads: 1 } }, direct);
      const ready = await waitForStatus(c, (s) => s.state === 'ready', 240_000);
      expect(ready.options?.rpcServers).toEqual([a.address, b.address]);
      expect(ready.target).toEqual({ kind: 'llama-cpp', rpcWorkers: [a.address, b.address] });
      // Split across both: each worker now serves llama-server (it holds model buffers there), so neither answers
      // another client's HELLO (a worker serves one client at a time).
      for (const w of [a, b]) {
        const busy = await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 1500 });
        expect(busy.error?.params?.reason).toMatch(/did not answer HELLO/);
      }
      // The fit planner sees the workers' memory (their checks from the start, reused while in use).
      const devices = await c.rpc.workerDevices();
      expect(devices).toHaveLength(2);

      // A reply streams through our app.
      const first = chat(c, 'first', 16);
      await first.started;
      expect(await first.ended).toMatchObject({ type: 'done' });
      expect(first.text().length).toBeGreaterThan(0);

      // Worker b killed once the long reply streams.
      let deltas = 0;
      const bPid = b.sup.state().pid!;
      const long = chat(c, 'long', 4000, () => {
        if (++deltas === 1) process.kill(bPid, 'SIGKILL');
      });
      await long.started;
      const end = await long.ended;
      expect(end.type).toBe('error');
      expect(long.text().length).toBeGreaterThan(0);
      const crashed = await waitForStatus(c, (s) => s.state === 'crashed' && s.runId === ready.runId, 120_000);
      expect(crashed.error?.code).toBe('RPC_WORKER_LOST');
      // Our worker mode saw its worker end and says so.
      await expect.poll(() => b.sup.state().state, { timeout: 10_000 }).toBe('failed');
      expect(b.sup.state().error?.code).toBe('RPC_WORKER_MODE_FAILED');

      // The recovery restarts without b (the next load names the worker that no longer answers).
      const healed = await waitForStatus(
        c,
        (s) => s.state === 'ready' && (s.recovery?.steps ?? []).some((st) => st.what === 'rpc-worker'),
        300_000,
      );
      expect(healed.options?.rpcServers).toEqual([a.address]);
      expect(healed.target).toEqual({ kind: 'llama-cpp', rpcWorkers: [a.address] });
      expect(healed.recovery!.steps.find((st) => st.what === 'rpc-worker')).toMatchObject({
        from: `${a.address},${b.address}`,
        to: a.address,
        because: 'RPC_WORKER_LOST',
      });
      expect(a.sup.state().state).toBe('running');

      // The next reply works.
      const after = chat(c, 'after', 16);
      await after.started;
      expect(await after.ended).toMatchObject({ type: 'done' });
      expect(after.text().length).toBeGreaterThan(0);

      await c.handlers['backend.stop']({}, direct);
    },
  );
});
