/**
 * The thermal guard end to end with the fake's "heating" GPU: its temperature climbs towards 30 + 0.2 × limit °C,
 * so at the default 320 W it passes 83 °C, the guard lowers the limit (the fake then cools), and after the
 * cool-down it restores the limit. Short holdSeconds and a 200 ms interval keep it to a few seconds.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Alert, TelemetrySample } from '../../shared/telemetry';
import { fakeGpuEnv, nextEvent, pidAlive, startApp, waitUntil, type AppUnderTest } from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const fast = { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100, confirmTimeoutMs: 3000, privileged: true };
const guard = { enabled: true, thresholdC: 83, holdSeconds: 1, stepW: 100, cooldownMarginC: 8 };

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('thermal guard', () => {
  it('lowers the limit while hot, restores it after cooling, and holds the sampler while enabled', async () => {
    const fake = fakeGpuEnv('heating');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast, settings: { thermalGuard: guard } });
    const ws = await app.ws();
    const alerts: Alert[] = [];
    ws.on('alert', (a) => alerts.push(a));
    // Nobody listens to samples: the guard alone keeps the sampler running.
    expect(await waitUntil(() => app!.core.monitoring.telemetry.streamPid() !== null, 5000)).toBe(true);
    expect(app.core.bus.listenerCount('telemetry.sample')).toBe(0);

    const lowered = await nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'thermal-guard-lowered',
      20_000,
    );
    expect(lowered).toMatchObject({ level: 'warning', gpu: 0, params: { fromW: 320, toW: 220, threshold: 83 } });
    expect(Number(lowered.params.temp)).toBeGreaterThanOrEqual(83);
    expect(fake.state().gpus['0']?.limit).toBe(220);
    expect((await ws.call('power.status', {}))[0]).toMatchObject({
      currentLimitW: 220,
      guardLimitW: 220,
      userLimitW: null,
    });
    // The guard's own change is not "changed outside the app", and not the user's limit.
    expect((await ws.call('settings.get', {})).power.userLimits).toEqual({});

    const restored = await nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'thermal-guard-restored',
      20_000,
    );
    expect(restored).toMatchObject({ level: 'info', gpu: 0, params: { watts: 320 } });
    expect(Number(restored.params.temp)).toBeLessThanOrEqual(75);
    expect(fake.state().gpus['0']?.limit).toBe(320);
    expect(alerts.filter((a) => a.kind === 'power-limit-external')).toEqual([]);
    // Crossing 83 °C is also a temperature alert (once per episode).
    expect(alerts.filter((a) => a.kind === 'temperature-high').length).toBeGreaterThanOrEqual(1);
    const logs = app.core.backend
      .recentLogs(500)
      .map((l) => l.text)
      .join('\n');
    expect(logs).toMatch(/alert thermal-guard-lowered gpu=0/);
    expect(logs).toMatch(/alert thermal-guard-restored gpu=0/);

    // Turning it off releases the sampler: nvidia-smi goes away.
    const pid = app.core.monitoring.telemetry.streamPid()!;
    await ws.call('settings.update', { thermalGuard: { enabled: false } });
    expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);
  });

  it("restores the user's own limit, never goes below min, and gives the limit back when turned off", async () => {
    const fake = fakeGpuEnv('heating');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast });
    const ws = await app.ws();
    // The user's limit: 300 W (heats to ~90 °C).
    await ws.call('power.setLimit', { gpu: 0, watts: 300 });
    // Threshold 50 °C: still hot at every limit (100 W → 50 °C). Steps of 150 W from 300: 150, then the 100 W
    // minimum, then nothing further however long it stays hot. A 40 °C margin means it never counts as cooled.
    const lowered: Alert[] = [];
    ws.on('alert', (a) => a.kind === 'thermal-guard-lowered' && lowered.push(a));
    await ws.call('settings.update', { thermalGuard: { ...guard, thresholdC: 50, stepW: 150, cooldownMarginC: 40 } });
    expect(await waitUntil(() => lowered.length >= 2, 20_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2500));
    expect(lowered.map((a) => [a.params.fromW, a.params.toW])).toEqual([
      [300, 150],
      [150, 100],
    ]);
    expect((await ws.call('power.status', {}))[0]).toMatchObject({
      currentLimitW: 100,
      guardLimitW: 100,
      userLimitW: 300,
    });
    const back = nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'thermal-guard-restored',
      10_000,
    );
    await ws.call('settings.update', { thermalGuard: { enabled: false } });
    expect((await back).params).toMatchObject({ watts: 300 });
    expect(fake.state().gpus['0']?.limit).toBe(300);
  });

  it('without the rights to change the limit: one error alert, then it leaves the GPU alone', async () => {
    const fake = fakeGpuEnv('heating', { FAKE_NVIDIA_SMI_DENY: '1' });
    app = await startApp(resourcesDir, { env: fake.env, monitoring: fast, settings: { thermalGuard: guard } });
    const ws = await app.ws();
    const failed = await nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'thermal-guard-lowered',
      20_000,
    );
    expect(failed).toMatchObject({ level: 'error', params: { error: 'POWER_PERMISSION', toW: 220 } });
    const samples: TelemetrySample[] = [];
    ws.on('telemetry.sample', (s) => samples.push(s));
    await new Promise((r) => setTimeout(r, 2500));
    expect(samples.length).toBeGreaterThan(5);
    const attempts = fake.invocations().filter((i) => i.argv.includes('-pl'));
    expect(attempts).toHaveLength(1);
  });
});
