/**
 * Power limits through the real path: contract call → range check → nvidia-smi (the fake, first on PATH) → its
 * text parsed → confirmed by the next sample from the long-lived stream. Permission, range, "not supported",
 * elevation, clock locks, re-apply at start, and limits changed outside the app.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { Alert, PowerInfo } from '../../shared/telemetry';
import { fakeGpuEnv, FAKE_NVIDIA_SMI_DIR, nextEvent, startApp, waitUntil, type AppUnderTest } from '../../test/helpers';
import type { Elevate } from './power-service';

const resourcesDir = inject('resourcesDir');
const fast = { intervalMs: 200, stopGraceMs: 100, restartBaseMs: 100, confirmTimeoutMs: 3000 };
const UUID_4090 = 'GPU-5d3e2f1a-7c4b-4a8e-9f6d-1b2c3d4e5f60';

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  );

describe('power limits', () => {
  it('reads limits, sets one confirmed by the next sample, remembers it, and resets to default', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { ...fast, privileged: true } });
    const ws = await app.ws();
    expect((await ws.call('app.info', {})).powerControl).toBe('direct');
    const changed: PowerInfo[][] = [];
    ws.on('power.changed', (l) => changed.push(l));
    const alerts: Alert[] = [];
    ws.on('alert', (a) => alerts.push(a));

    // Sampler off: status comes from a one-off query.
    expect(app.core.monitoring.telemetry.isRunning()).toBe(false);
    expect(await ws.call('power.status', {})).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4090',
        supported: true,
        currentLimitW: 450,
        defaultLimitW: 450,
        minLimitW: 150,
        maxLimitW: 600,
        userLimitW: null,
        guardLimitW: null,
      },
    ]);

    const result = await ws.call('power.setLimit', { gpu: 0, watts: 250 });
    expect(result).toEqual({
      gpu: 0,
      appliedW: 250,
      via: 'direct',
      confirmed: true,
      message: 'Power limit for GPU 00000000:01:00.0 was set to 250.00 W from 450.00 W.',
    });
    expect(fake.state().gpus['0']?.limit).toBe(250);
    // The confirming sample came from the stream, which the wait started (and which stops again afterwards).
    expect(fake.invocations().filter((i) => i.argv.includes('-lms'))).toHaveLength(1);
    expect(changed.at(-1)?.[0]).toMatchObject({ currentLimitW: 250, userLimitW: 250 });
    expect(alerts.map((a) => [a.kind, a.params.watts])).toContainEqual(['power-limit-applied', 250]);
    const settings = JSON.parse(fs.readFileSync(path.join(app.dataDir, 'settings.json'), 'utf8'));
    expect(settings.power.userLimits).toEqual({ [UUID_4090]: 250 });

    const reset = await ws.call('power.resetLimit', { gpu: 0 });
    expect(reset).toMatchObject({ appliedW: 450, confirmed: true });
    expect((await ws.call('power.status', {}))[0]).toMatchObject({ currentLimitW: 450, userLimitW: null });
    expect((await ws.call('settings.get', {})).power.userLimits).toEqual({});
    expect(await waitUntil(() => !app!.core.monitoring.telemetry.isRunning(), 3000)).toBe(true);
  });

  it('refuses an out-of-range value before running nvidia-smi, with the valid range', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { ...fast, privileged: true } });
    const ws = await app.ws();
    for (const watts of [50, 601]) {
      const e = await errorOf(ws.call('power.setLimit', { gpu: 0, watts }));
      expect(e).toMatchObject({ code: 'POWER_RANGE', params: { watts, min: 150, max: 600 } });
    }
    expect(fake.invocations().some((i) => i.argv.includes('-pl'))).toBe(false);
    // Over HTTP the error is translated and mapped to 400.
    const res = await fetch(`${app.http.url}/api/rpc/power.setLimit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      body: JSON.stringify({ gpu: 0, watts: 50 }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      '50 W 不是该 GPU 的有效功耗上限，必须在 150 W 到 600 W 之间。',
    );
    const missing = await errorOf(ws.call('power.setLimit', { gpu: 5, watts: 250 }));
    expect(missing).toMatchObject({ code: 'NO_GPU', params: { gpu: 5 } });
  });

  it('turns "Insufficient Permissions" into POWER_PERMISSION with the exact command to run', async () => {
    const fake = fakeGpuEnv('one-gpu', { FAKE_NVIDIA_SMI_DENY: '1' });
    // Not root and no elevation available (headless as a normal user): nvidia-smi is tried and its text decides.
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { ...fast, privileged: false } });
    const ws = await app.ws();
    // The UI says so before anything is tried (the thermal guard's switch shows it).
    expect((await ws.call('app.info', {})).powerControl).toBe('manual');
    const e = await errorOf(ws.call('power.setLimit', { gpu: 0, watts: 250 }));
    expect(e).toMatchObject({ code: 'POWER_PERMISSION', params: { command: 'sudo nvidia-smi -i 0 -pl 250' } });
    expect(e!.details).toMatch(/Insufficient Permissions/);
    const res = await fetch(`${app.http.url}/api/rpc/power.setLimit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gpu: 0, watts: 250 }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      'Changing the power limit needs administrator rights. Run: sudo nvidia-smi -i 0 -pl 250',
    );
    expect(fake.state().gpus['0']?.limit).toBeUndefined();
    expect((await ws.call('settings.get', {})).power.userLimits).toEqual({});
  });

  it('goes through the shell’s elevation when not privileged, and reports a declined prompt', async () => {
    const fake = fakeGpuEnv('one-gpu');
    const calls: string[][] = [];
    let decline = false;
    // Stands in for pkexec: runs the same nvidia-smi (the fake) "with rights", or answers like a dismissed dialog.
    const elevate: Elevate = async (command, args) => {
      calls.push([command, ...args]);
      if (decline)
        return { code: 126, stdout: '', stderr: 'Error executing command as another user: Request dismissed' };
      const r = spawnSync(command, args, { env: fake.env, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    app = await startApp(resourcesDir, { env: fake.env, elevate, monitoring: { ...fast, privileged: false } });
    const ws = await app.ws();
    expect((await ws.call('app.info', {})).powerControl).toBe(process.platform === 'win32' ? 'uac' : 'pkexec');
    const ok = await ws.call('power.setLimit', { gpu: 0, watts: 300 });
    expect(ok).toMatchObject({ via: process.platform === 'win32' ? 'uac' : 'pkexec', appliedW: 300, confirmed: true });
    expect(calls[0]).toEqual([path.join(FAKE_NVIDIA_SMI_DIR, 'nvidia-smi'), '-i', '0', '-pl', '300']);
    decline = true;
    const e = await errorOf(ws.call('power.setLimit', { gpu: 0, watts: 350 }));
    expect(e).toMatchObject({ code: 'POWER_PERMISSION', params: { command: 'sudo nvidia-smi -i 0 -pl 350' } });
  });

  it('laptop: "not supported" becomes POWER_UNSUPPORTED, then clock locking works instead', async () => {
    const fake = fakeGpuEnv('laptop');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { ...fast, privileged: true } });
    const ws = await app.ws();
    expect((await ws.call('power.status', {}))[0]).toMatchObject({ supported: true, minLimitW: 5, maxLimitW: 140 });
    const e = await errorOf(ws.call('power.setLimit', { gpu: 0, watts: 100 }));
    expect(e).toMatchObject({ code: 'POWER_UNSUPPORTED' });
    expect(e!.details).toMatch(/Changing power management limit is not supported/);
    // Now known: the UI greys the slider out and offers clock locking.
    expect((await ws.call('power.status', {}))[0]!.supported).toBe(false);
    const again = await errorOf(ws.call('power.setLimit', { gpu: 0, watts: 100 }));
    expect(again).toMatchObject({ code: 'POWER_UNSUPPORTED' });
    expect(fake.invocations().filter((i) => i.argv.includes('-pl'))).toHaveLength(1);

    const locked = await ws.call('power.lockClocks', { gpu: 0, minMHz: 210, maxMHz: 1500 });
    expect(locked).toEqual({
      gpu: 0,
      appliedW: null,
      via: 'direct',
      confirmed: true,
      message: 'GPU clocks set to "(gpuClkMin 210, gpuClkMax 1500)" for GPU 00000000:01:00.0',
    });
    expect(fake.state().gpus['0']?.clocks).toEqual([210, 1500]);
    const bad = await errorOf(ws.call('power.lockClocks', { gpu: 0, minMHz: 1500, maxMHz: 210 }));
    expect(bad).toMatchObject({ code: 'INVALID_PARAMS' });
    expect(await ws.call('power.resetClocks', { gpu: 0 })).toMatchObject({ confirmed: true, message: 'All done.' });
    expect(fake.state().gpus['0']?.clocks).toBeUndefined();
  });

  it('alerts when the limit is changed outside the app, not when we change it', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { ...fast, privileged: true } });
    const ws = await app.ws();
    const alerts: Alert[] = [];
    ws.on('alert', (a) => alerts.push(a));
    ws.on('telemetry.sample', () => undefined);
    await ws.call('power.setLimit', { gpu: 0, watts: 400 });
    await new Promise((r) => setTimeout(r, 600));
    expect(alerts.filter((a) => a.kind === 'power-limit-external')).toEqual([]);
    const external = nextEvent<Alert>(
      (l) => ws.on('alert', l),
      (a) => a.kind === 'power-limit-external',
    );
    // Someone runs nvidia-smi in a terminal.
    spawnSync(path.join(FAKE_NVIDIA_SMI_DIR, 'nvidia-smi'), ['-i', '0', '-pl', '300'], { env: fake.env });
    expect(await external).toMatchObject({ gpu: 0, level: 'warning', params: { watts: 300, previousW: 400 } });
    const log = await ws.call('alerts.list', { limit: 10 });
    expect(log.map((a) => a.kind)).toEqual(['power-limit-applied', 'power-limit-external']);
  });

  it('re-applies the user’s limit at start when asked to', async () => {
    const fake = fakeGpuEnv('two-gpus');
    app = await startApp(resourcesDir, {
      env: fake.env,
      monitoring: { ...fast, privileged: true },
      settings: {
        power: {
          reapplyAtStart: true,
          userLimits: { 'GPU-7f8e9d0c-aaaa-bbbb-cccc-ddddeeeeffff': 120, 'GPU-gone': 200 },
        },
      },
    });
    expect(await waitUntil(() => fake.state().gpus['1']?.limit === 120, 10_000)).toBe(true);
    expect(fake.state().gpus['0']).toBeUndefined();
    const logs = () =>
      app!.core.backend
        .recentLogs(200)
        .map((l) => l.text)
        .join('\n');
    expect(await waitUntil(() => /no GPU GPU-gone to re-apply 200 W to/.test(logs()), 5000)).toBe(true);
    expect(logs()).toMatch(/GPU 1 limit 170 W → 120 W \(reapply, direct\)/);
  });

  it('does not re-apply when the option is off (the default)', async () => {
    const fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, {
      env: fake.env,
      monitoring: { ...fast, privileged: true },
      settings: { power: { userLimits: { [UUID_4090]: 200 } } },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.invocations().some((i) => i.argv.includes('-pl'))).toBe(false);
    expect((await app.core.handlers['power.status']({}, { transport: 'direct' }))[0]).toMatchObject({
      userLimitW: 200,
      currentLimitW: 450,
    });
  });
});
