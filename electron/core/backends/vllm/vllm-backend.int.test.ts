/**
 * The vLLM kind through the whole app (createCore + the HTTP transport) with the stand-in (scripts/fake-vllm: a venv
 * named by DEEPLOCAL_VLLM, a real llama-server on the tiny model underneath) and a snapshot folder: vllm.detect →
 * vllm.start (plan, then the kind router under the self-healing supervision) → load progress → ready → a streamed
 * reply through the app's chat → tokens/s, waiting requests and KV-cache usage in the samples and in our /metrics →
 * vLLM killed while serving → restarted by the supervision → stop leaves no process. Then the OOM ladder lowering the
 * max model length, and no install at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { writeVllmSnapshot } from '../../../../scripts/bench/lib/vllm-snapshot.mjs';
import type { BackendStatus, ChatEvent } from '../../../shared/schemas';
import type { TelemetrySample } from '../../../shared/telemetry';
import type { Core } from '../../app';
import { startApp, waitForStatus, waitUntil, type AppUnderTest } from '../../../test/helpers';
import { fakeVenv, groupMembers } from './vllm-test-env';

const resourcesDir = inject('resourcesDir');
const direct = { transport: 'direct' as const };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-vllm-app-'));
const venv = fakeVenv(path.join(root, 'venv'));
const snapshot = writeVllmSnapshot(path.join(root, 'DeepSeek-R1-Distill-Qwen-Tiny')) as string;
const home = path.join(root, 'home');
fs.mkdirSync(home);

const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: home,
  DEEPLOCAL_VLLM: venv.vllm,
  FAKE_VLLM_LLAMA_SERVER: inject('llamaServer'),
  FAKE_VLLM_GGUF: inject('tinyModel'),
  FAKE_VLLM_LOAD_MS: '600',
  ...extra,
});

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const fast = { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100 };

function chat(c: Core, requestId: string, maxTokens: number) {
  let text = '';
  const ended = new Promise<ChatEvent>((resolve) => {
    const off = c.bus.on('chat.event', (e) => {
      if (e.requestId !== requestId) return;
      if (e.type === 'delta') text += (e.content ?? '') + (e.reasoning ?? '');
      else {
        off();
        resolve(e);
      }
    });
  });
  const started = c.handlers['chat.start'](
    {
      requestId,
      messages: [{ role: 'user', content: 'Write a long story.' }],
      sampling: { max_tokens: maxTokens, seed: 3 },
    },
    direct,
  );
  return { started, ended, text: () => text };
}

async function scrape(a: AppUnderTest): Promise<string> {
  const res = await fetch(`${a.http.url}/metrics`, { headers: { authorization: `Bearer ${a.token}` } });
  return res.text();
}
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('vLLM through the app', () => {
  it(
    'detect → start → progress → ready → streamed chat → metrics → crash and restart → stop, no process left',
    { timeout: 180_000 },
    async () => {
      app = await startApp(resourcesDir, { env: env(), monitoring: fast });
      const c = app.core;
      const d = await c.handlers['vllm.detect']({}, direct);
      expect(d.installs.map((i) => [i.id, i.usable, i.version])).toEqual([[`setting:${venv.vllm}`, true, '0.11.0']]);
      expect(d.preferred).toBe(`setting:${venv.vllm}`);

      const seen: BackendStatus[] = [];
      c.backend.onStatus((s) => seen.push(s));
      const started = await c.handlers['vllm.start']({ modelPath: snapshot, options: { contextSize: 2048 } }, direct);
      expect(started).toMatchObject({ kind: 'vllm', state: 'starting' });
      const ready = await waitForStatus(c, (s) => s.state === 'ready', 60_000);
      expect(ready).toMatchObject({
        kind: 'vllm',
        model: { path: snapshot, name: 'DeepSeek-R1-Distill-Qwen-Tiny', architecture: 'Qwen2ForCausalLM' },
        target: { kind: 'vllm', install: `setting:${venv.vllm}`, servedName: 'DeepSeek-R1-Distill-Qwen-Tiny' },
      });
      expect(ready.target).toMatchObject({ tensorParallelSize: 1, maxModelLen: 2048 });
      const progress = seen.filter((s) => s.state === 'loading' && s.progress !== null && s.progress > 0);
      expect(progress.length).toBeGreaterThan(2);
      expect(c.backend.endpoint()?.model).toBe('DeepSeek-R1-Distill-Qwen-Tiny');

      // A long reply through the app's chat while the sampler reads vLLM's /metrics.
      const samples: TelemetrySample[] = [];
      c.bus.on('telemetry.sample', (s) => samples.push(s));
      const long = chat(c, 'v1', 3000);
      await long.started;
      expect(
        await waitUntil(
          () =>
            samples.some((s) => (s.tokensPerSecond ?? 0) > 0 && (s.kvCacheUsage ?? 0) > 0 && s.requestsInFlight >= 1),
          30_000,
        ),
      ).toBe(true);
      const busy = samples.find((s) => (s.tokensPerSecond ?? 0) > 0 && (s.kvCacheUsage ?? 0) > 0)!;
      expect(busy.requestsWaiting).toBe(0);
      expect(busy.kvCacheUsage).toBeLessThanOrEqual(1);
      const live = await scrape(app);
      expect(value(live, 'deeplocal_backend_up')).toBe(1);
      expect(value(live, 'deeplocal_requests_waiting')).toBe(0);
      expect(value(live, 'deeplocal_kv_cache_usage_ratio')).toBeGreaterThan(0);
      await c.handlers['chat.cancel']({ requestId: 'v1' }, direct);
      const end = await long.ended;
      expect(end.type).toBe('done');
      expect(long.text().length).toBeGreaterThan(0);

      // Killed while serving: its engine goes with it, the supervision starts it again.
      const pid = ready.pid!;
      expect(groupMembers(pid).length).toBeGreaterThanOrEqual(2);
      process.kill(pid, 'SIGKILL');
      const again = await waitForStatus(c, (s) => s.state === 'ready' && s.runId > ready.runId, 60_000);
      expect(again.kind).toBe('vllm');
      expect(again.pid).not.toBe(pid);
      expect(again.recovery).toMatchObject({ phase: 'restarted', restarts: 1 });
      expect(again.recovery?.reason.code).toBe('BACKEND_CRASHED');
      expect(await waitUntil(() => groupMembers(pid).length === 0, 10_000)).toBe(true);
      const short = chat(c, 'v2', 4);
      await short.started;
      expect(await short.ended).toMatchObject({ type: 'done' });

      await c.handlers['backend.stop']({}, direct);
      expect(c.backend.status().state).toBe('stopped');
      expect(await waitUntil(() => groupMembers(again.pid!).length === 0, 10_000)).toBe(true);
      expect(fs.existsSync(path.join(app.dataDir, 'run', 'vllm.pid'))).toBe(false);
    },
  );

  it(
    'out of memory: the typed error, then the OOM ladder halves the max model length',
    { timeout: 120_000 },
    async () => {
      app = await startApp(resourcesDir, { env: env({ FAKE_VLLM_FAIL: 'oom' }) });
      const c = app.core;
      const crashed = waitForStatus(c, (s) => s.state === 'crashed' && s.error?.code === 'BACKEND_OOM', 60_000);
      await c.handlers['vllm.start']({ modelPath: snapshot, options: { contextSize: 4096 } }, direct);
      expect((await crashed).target).toMatchObject({ kind: 'vllm', maxModelLen: 4096 });
      const lowered = await waitForStatus(
        c,
        (s) => s.target?.kind === 'vllm' && s.target.maxModelLen === 2048 && s.runId > 1,
        60_000,
      );
      expect(lowered.recovery?.steps[0]).toMatchObject({ what: 'context', from: '4096', to: '2048' });
      await c.handlers['backend.stop']({}, direct);
    },
  );

  it('no vLLM anywhere: detection finds none, vllm.start says VLLM_NOT_FOUND', async () => {
    const bare = env();
    delete bare.DEEPLOCAL_VLLM;
    app = await startApp(resourcesDir, { env: { ...bare, PATH: path.dirname(process.execPath) } });
    const d = await app.core.handlers['vllm.detect']({ refresh: true }, direct);
    expect(d.installs).toEqual([]);
    expect(d.guide.steps.map((s) => s.id)).toContain('install');
    await expect(app.core.handlers['vllm.start']({ modelPath: snapshot }, direct)).rejects.toMatchObject({
      code: 'VLLM_NOT_FOUND',
    });
    expect(app.core.backend.status().state).toBe('stopped');
  });
});
