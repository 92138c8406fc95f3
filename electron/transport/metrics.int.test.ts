/**
 * GET /metrics on the real HTTP transport: token required, Prometheus text with per-GPU series from the fake
 * nvidia-smi, and — with the real llama-server on the tiny model — tokens/s, requests in flight and the model's
 * VRAM share, measured live during a reply.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { TelemetrySample } from '../shared/telemetry';
import { fakeGpuEnv, startApp, waitForStatus, waitUntil, type AppUnderTest } from '../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const fast = { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100 };

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

async function scrape(a: AppUnderTest, headers: Record<string, string> = { authorization: `Bearer ${a.token}` }) {
  const res = await fetch(`${a.http.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('needs the token, and serves Prometheus text for every GPU whether or not the sampler runs', async () => {
    const fake = fakeGpuEnv('two-gpus');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    expect((await scrape(app, {})).status).toBe(401);
    expect((await scrape(app, { authorization: 'Bearer wrong' })).status).toBe(401);
    const res = await fetch(`${app.http.url}/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(res.status).toBe(404);

    // Sampler off: a one-off reading.
    const off = await scrape(app, { 'x-api-key': app.token });
    expect(off.status).toBe(200);
    expect(off.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(app.core.monitoring.telemetry.isRunning()).toBe(false);
    expect(value(off.text, 'deeplocal_gpu_memory_total_bytes{gpu="0"}')).toBe(24576 * 1024 * 1024);
    expect(value(off.text, 'deeplocal_gpu_memory_total_bytes{gpu="1"}')).toBe(12288 * 1024 * 1024);
    expect(value(off.text, 'deeplocal_gpu_power_limit_watts{gpu="1"}')).toBe(170);
    for (const f of [
      'temperature_celsius',
      'power_draw_watts',
      'utilization_percent',
      'sm_clock_hertz',
      'memory_clock_hertz',
      'fan_speed_percent',
      'memory_used_bytes',
    ]) {
      expect(value(off.text, `deeplocal_gpu_${f}{gpu="0"}`), f).toEqual(expect.any(Number));
    }
    expect(off.text).toContain('deeplocal_gpu_info{gpu="1",name="NVIDIA GeForce RTX 3060",source="nvidia-smi"} 1');
    expect(value(off.text, 'deeplocal_memory_total_bytes')).toBeGreaterThan(0);
    expect(value(off.text, 'deeplocal_backend_up')).toBe(0);
    expect(value(off.text, 'deeplocal_requests_total{api="chat"}')).toBe(0);

    // Sampler on: the live sample is used, no extra query.
    const ws = await app.ws();
    ws.on('telemetry.sample', () => undefined);
    expect(await waitUntil(() => (app!.core.monitoring.telemetry.latestFresh()?.cpuPct ?? null) !== null, 5000)).toBe(
      true,
    );
    const before = fake.invocations().length;
    const on = await scrape(app);
    expect(value(on.text, 'deeplocal_gpu_power_limit_watts{gpu="0"}')).toBe(350);
    expect(value(on.text, 'deeplocal_cpu_usage_percent')).toEqual(expect.any(Number));
    expect(fake.invocations().length).toBe(before);
  });

  it('reports tokens/s, requests in flight and the model’s VRAM from the running llama-server', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    await ws.call('backend.start', { modelPath: tinyModel });
    await waitForStatus(app.core, (s) => s.state === 'ready');
    const samples: TelemetrySample[] = [];
    ws.on('telemetry.sample', (s) => samples.push(s));
    ws.on('chat.event', () => undefined);
    expect(await waitUntil(() => samples.some((s) => s.tokensPerSecond === 0), 5000)).toBe(true);

    await ws.call('chat.start', {
      requestId: 'm1',
      messages: [{ role: 'user', content: 'Write a long story.' }],
      sampling: { max_tokens: 3000, seed: 3 },
    });
    expect(
      await waitUntil(() => samples.some((s) => (s.tokensPerSecond ?? 0) > 0 && s.requestsInFlight >= 1), 20_000),
    ).toBe(true);
    const busy = samples.find((s) => (s.tokensPerSecond ?? 0) > 0)!;
    // The fake lists llama-server processes from /proc with 1536 MiB each; asked once at model load.
    expect(busy.modelVramMiB).toBe(1536);
    expect(fake.invocations().filter((i) => i.argv.some((a) => a.startsWith('--query-compute-apps'))).length).toBe(1);

    const live = await scrape(app);
    expect(value(live.text, 'deeplocal_backend_up')).toBe(1);
    expect(value(live.text, 'deeplocal_requests_total{api="chat"}')).toBe(1);
    expect(value(live.text, 'deeplocal_model_vram_bytes')).toBe(1536 * 1024 * 1024);
    await ws.call('chat.cancel', { requestId: 'm1' });

    // An OpenAI-compatible request counts too; llama-server's own counters come through once a reply ends.
    const res = await fetch(`${app.http.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 }),
    });
    expect(res.status).toBe(200);
    await res.json();
    let after = await scrape(app);
    for (let i = 0; i < 20 && !((value(after.text, 'deeplocal_backend_tokens_predicted_total') ?? 0) > 0); i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await scrape(app);
    }
    expect(value(after.text, 'deeplocal_backend_tokens_predicted_total')).toBeGreaterThan(0);
    expect(value(after.text, 'deeplocal_requests_total{api="openai"}')).toBe(1);
    expect(value(after.text, 'deeplocal_openai_requests_in_flight')).toBe(0);
  });
});
