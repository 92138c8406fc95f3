/** The device check against the real llama-server (CPU build) and a hung stand-in, with its cache. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { tmpDir } from '../../test/helpers';
import { DeviceChecks, runDeviceCheck } from './device-check';

const server = inject('llamaServer');
const dir = tmpDir('dl-check-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env };

describe('runDeviceCheck', () => {
  it('a CPU build lists its (no) devices: ok as cpu, NO_GPU_LISTED under a GPU variant', async () => {
    const cpu = await runDeviceCheck({ id: 'a', variant: 'cpu', server }, { env });
    expect(cpu).toMatchObject({ runtimeId: 'a', variant: 'cpu', ok: true, devices: [], problem: null });
    const cuda = await runDeviceCheck({ id: 'b', variant: 'cuda-12', server }, { env });
    expect(cuda).toMatchObject({ ok: false, devices: [], problem: { code: 'NO_GPU_LISTED' } });
  });

  it('a missing llama-server is NOT_FOUND without running anything; a hung one is stopped at the deadline', async () => {
    const missing = await runDeviceCheck(
      { id: 'm', variant: 'cpu', server: path.join(dir, 'nope', 'llama-server') },
      { env },
    );
    expect(missing).toMatchObject({ ok: false, problem: { code: 'NOT_FOUND' }, durationMs: 0 });
    if (process.platform === 'win32') return;
    const hung = path.join(dir, 'llama-server');
    fs.writeFileSync(hung, '#!/bin/sh\nsleep 30\n', { mode: 0o755 });
    const t0 = Date.now();
    const r = await runDeviceCheck({ id: 'h', variant: 'cpu', server: hung }, { env, timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, problem: { code: 'TIMEOUT' } });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('DeviceChecks', () => {
  it('remembers a check until llama-server changes or a refresh is asked; shares one run between callers', async () => {
    const copy = path.join(dir, 'copy', 'llama-server');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.copyFileSync(server, copy);
    fs.chmodSync(copy, 0o755);
    const checks = new DeviceChecks({ env });
    const t = { id: 'c', variant: 'cpu' as const, server: copy };
    const [a, b] = await Promise.all([checks.get(t), checks.get(t)]);
    expect(a).toBe(b);
    expect(await checks.get(t)).toBe(a);
    expect(checks.peek('c')).toBe(a);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(copy, later, later);
    const c = await checks.get(t);
    expect(c).not.toBe(a);
    expect(c.ok).toBe(true);
    expect(await checks.get(t, true)).not.toBe(c);
    checks.hold('c', {
      code: 'FILES_CHANGED',
      params: { file: 'llama-server' },
      message: 'llama-server changed since it was installed',
    });
    expect(await checks.get(t)).toMatchObject({ ok: false, problem: { code: 'FILES_CHANGED' } });
    checks.hold('c', null);
    expect((await checks.get(t, true)).ok).toBe(true);
  });
});
