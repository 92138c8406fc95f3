/**
 * Live telemetry through the real path: the fake nvidia-smi (first on PATH, passed to the core as its env) →
 * one long-lived `-lms` process → parser → ring buffer → contract → WebSocket. Also: the sampler runs only while
 * someone listens, survives nvidia-smi dying, and says why when there is no GPU.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Alert, TelemetrySample, TelemetryStatus } from '../../shared/telemetry';
import {
  fakeGpuEnv,
  nextEvent,
  pathWithoutGpuTools,
  pidAlive,
  startApp,
  waitUntil,
  type AppUnderTest,
} from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const fast = { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100 };

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

function collect(ws: Awaited<ReturnType<AppUnderTest['ws']>>, n: number): Promise<TelemetrySample[]> {
  return new Promise((resolve) => {
    const got: TelemetrySample[] = [];
    const off = ws.on('telemetry.sample', (s) => {
      got.push(s);
      if (got.length === n) {
        off();
        resolve(got);
      }
    });
  });
}

describe('telemetry sampler', () => {
  it('streams two GPUs over the WebSocket from one nvidia-smi process, and stops it when the last listener leaves', async () => {
    const fake = fakeGpuEnv('two-gpus');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    const statuses: TelemetryStatus[] = [];
    ws.on('telemetry.status', (s) => statuses.push(s));

    const before = await ws.call('telemetry.status', {});
    expect(before).toMatchObject({
      running: false,
      gpuSource: 'nvidia-smi',
      noGpuReason: null,
      intervalMs: 200,
      thermalThresholdC: 83,
    });
    expect(app.core.monitoring.telemetry.streamPid()).toBeNull();

    const samples = await collect(ws, 5);
    const pid = app.core.monitoring.telemetry.streamPid();
    expect(pid).toBeGreaterThan(0);
    for (const s of samples) {
      expect(s.gpus.map((g) => [g.index, g.name])).toEqual([
        [0, 'NVIDIA GeForce RTX 3090'],
        [1, 'NVIDIA GeForce RTX 3060'],
      ]);
      expect(s.gpus[0]).toMatchObject({
        vramTotalMiB: 24576,
        powerLimitW: 350,
        powerMinW: 100,
        powerMaxW: 400,
        powerDefaultW: 350,
      });
      expect(s.gpus[1]!.temperatureC).toEqual(expect.any(Number));
      expect(s.ramTotalBytes).toBeGreaterThan(0);
      // No model runs: tokens/s is "not applicable", not zero.
      expect(s.tokensPerSecond).toBeNull();
      expect(s.requestsInFlight).toBe(0);
    }
    // CPU load needs two readings; from the second tick on it is known.
    expect(samples.slice(1).every((s) => s.cpuPct !== null && s.cpuPct >= 0 && s.cpuPct <= 100)).toBe(true);
    // Ticks are about one interval apart (the fake prints every 200 ms).
    const gaps = samples.slice(1).map((s, i) => s.ts - samples[i]!.ts);
    expect(Math.max(...gaps)).toBeLessThan(1500);

    const history = await ws.call('telemetry.history', {});
    expect(history.length).toBeGreaterThanOrEqual(5);
    expect((await ws.call('telemetry.history', { seconds: 1 })).length).toBeLessThanOrEqual(history.length);
    expect((await ws.call('telemetry.status', {})).running).toBe(true);

    // The WebSocket client unsubscribes when its last local listener goes (collect() removed it).
    expect(await waitUntil(() => !pidAlive(pid!), 5000)).toBe(true);
    expect(await waitUntil(() => !app!.core.monitoring.telemetry.isRunning(), 2000)).toBe(true);
    expect(await waitUntil(() => statuses.length >= 2, 3000)).toBe(true);
    expect(statuses.map((s) => s.running)).toEqual([true, false]);

    // One streaming process for the whole run: never a spawn per sample.
    const streams = fake.invocations().filter((i) => i.argv.includes('-lms'));
    expect(streams).toHaveLength(1);
    expect(streams[0]!.argv).toEqual(expect.arrayContaining(['--format=csv,noheader,nounits', '-lms', '200']));
  });

  it('keeps running while any subscriber remains (two WebSocket clients)', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const a = await app.ws();
    const b = await app.ws();
    const offA = a.on('telemetry.sample', () => undefined);
    const offB = b.on('telemetry.sample', () => undefined);
    expect(await waitUntil(() => app!.core.monitoring.telemetry.streamPid() !== null, 5000)).toBe(true);
    const pid = app.core.monitoring.telemetry.streamPid()!;
    expect(await waitUntil(() => app!.core.bus.listenerCount('telemetry.sample') === 2, 2000)).toBe(true);
    offA();
    await new Promise((r) => setTimeout(r, 600));
    expect(pidAlive(pid)).toBe(true);
    offB();
    expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);
  });

  it('restarts nvidia-smi when it dies, with a telemetry-restarted alert, and samples resume', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    // A sample first: the process is really running (on a loaded machine node takes a while to boot).
    await nextEvent<TelemetrySample>((l) => ws.on('telemetry.sample', l));
    ws.on('telemetry.sample', () => undefined);
    const first = app.core.monitoring.telemetry.streamPid()!;
    const alert = nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'telemetry-restarted',
    );
    process.kill(first, 'SIGKILL');
    const a = await alert;
    expect(a).toMatchObject({ level: 'warning', gpu: null, params: { attempt: 1, reason: 'killed by SIGKILL' } });
    expect(await waitUntil(() => (app!.core.monitoring.telemetry.streamPid() ?? first) !== first, 5000)).toBe(true);
    const second = app.core.monitoring.telemetry.streamPid();
    // A sample from the new process (one queued from the old one may still arrive first).
    const after = await nextEvent<TelemetrySample>(
      (l) => ws.on('telemetry.sample', l),
      () => app!.core.monitoring.telemetry.streamPid() === second,
    );
    expect(after.gpus).toHaveLength(1);
    // One nvidia-smi per start: the first, plus one per restart (a loaded machine may need more than one).
    const restarts = (await ws.call('alerts.list', {})).filter((x) => x.kind === 'telemetry-restarted').length;
    expect(restarts).toBeGreaterThanOrEqual(1);
    expect(fake.invocations().filter((i) => i.argv.includes('-lms')).length).toBe(1 + restarts);
  });

  it('with no GPU tool: says why, and still samples CPU and RAM', async () => {
    app = await startApp(resourcesDir, { env: { ...process.env, PATH: pathWithoutGpuTools() }, monitoring: fast });
    const ws = await app.ws();
    expect(await ws.call('telemetry.status', {})).toMatchObject({
      gpuSource: 'none',
      noGpuReason: 'no-gpu',
      running: false,
    });
    const samples = await collect(ws, 3);
    for (const s of samples) {
      expect(s.gpus).toEqual([]);
      expect(s.ramTotalBytes).toBeGreaterThan(0);
    }
    expect(samples[2]!.cpuPct).not.toBeNull();
    expect(await ws.call('power.status', {})).toEqual([]);
  });

  it('when nvidia-smi cannot reach the driver: no restarts, the reason in the status, CPU/RAM still sampled', async () => {
    const fake = fakeGpuEnv('no-driver');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    const status = nextEvent<TelemetryStatus>(
      (l) => ws.on('telemetry.status', l),
      (s) => s.noGpuReason !== null,
    );
    const samples = await collect(ws, 3);
    expect(await status).toMatchObject({ running: true, gpuSource: 'none', noGpuReason: 'nvidia-smi-failed' });
    expect(samples.every((s) => s.gpus.length === 0)).toBe(true);
    expect((await ws.call('alerts.list', {})).filter((a) => a.kind === 'telemetry-restarted')).toEqual([]);
  });

  it('carries [N/A] / [Not Supported] / [Unknown Error] fields through as null', async () => {
    const fake = fakeGpuEnv('na-fields');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    const [s] = await collect(ws, 1);
    expect(s!.gpus[0]).toMatchObject({
      name: 'Tesla T4',
      powerDrawW: null,
      powerMinW: null,
      powerMaxW: null,
      fanPct: null,
    });
    expect(s!.gpus[1]).toMatchObject({
      name: 'NVIDIA A100-SXM4-40GB',
      temperatureC: null,
      powerLimitW: null,
      powerMinW: 100,
    });
    const power = await ws.call('power.status', {});
    expect(power.map((p) => p.supported)).toEqual([false, false]);
  });
});
