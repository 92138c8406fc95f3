/**
 * The hardware probe against real tools where we have them (llama-server --list-devices, systeminformation on a
 * worker, the data dir's disk) and fakes where we do not (nvidia-smi; a tiny amd-smi script). A hung tool must
 * cost at most its timeout, and the event loop keeps running meanwhile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { probeNote } from '../../shared/telemetry';
import { probeHardware } from './probe';
import {
  fakeGpuEnv,
  pathWithoutGpuTools,
  pidAlive,
  startApp,
  tmpDir,
  type AppUnderTest,
  type FakeGpu,
} from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const fixtures = path.join(__dirname, '..', 'gpu-tools', 'fixtures');
const direct = { transport: 'direct' as const };

let app: AppUnderTest | null = null;
let fake: FakeGpu | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
  // A hung fake started by systeminformation's execFileSync is nobody's child we can wait for: end it here.
  for (const i of fake?.invocations() ?? []) if (pidAlive(i.pid)) process.kill(i.pid, 'SIGKILL');
  fake = null;
});

describe('hardware probe', () => {
  it('combines nvidia-smi, llama-server and systeminformation, with sources and notes', async () => {
    fake = fakeGpuEnv('one-gpu');
    app = await startApp(resourcesDir, { env: fake.env });
    const r = await app.core.handlers['hardware.probe']({}, direct);
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({
      index: 0,
      vendor: 'nvidia',
      name: 'NVIDIA GeForce RTX 4090',
      uuid: 'GPU-5d3e2f1a-7c4b-4a8e-9f6d-1b2c3d4e5f60',
      vramTotalMiB: { value: 24564, source: 'nvidia-smi' },
      driverVersion: { value: '550.54.14', source: 'nvidia-smi' },
      cudaVersion: '12.4',
      computeCapability: '8.9',
      // Our llama-server here is a CPU build: it lists no device, and the report says so.
      backendDevice: null,
    });
    expect(r.backendDevices).toEqual([]);
    expect(r.notes).toContainEqual({
      tool: 'llama-server',
      code: 'BACKEND_NO_GPU',
      params: {},
      message: expect.stringMatching(/sees no GPU/),
    });
    expect(r.cpu.source).toBe('systeminformation');
    expect(r.cpu.threads).toBeGreaterThan(0);
    expect(r.cpu.model.length).toBeGreaterThan(0);
    expect(r.memory.totalBytes).toBeGreaterThan(r.memory.availableBytes);
    expect(r.disk).toMatchObject({ path: app.dataDir, source: 'os' });
    expect(r.disk.freeBytes).toBeGreaterThan(0);
    expect(r.os.platform).toBe(process.platform);
    if (process.arch === 'x64') expect(r.cpu.neon).toBe(false);

    // Cached until asked to refresh.
    expect((await app.core.handlers['hardware.probe']({}, direct)).probedAt).toBe(r.probedAt);
    const again = await app.core.handlers['hardware.probe']({ refresh: true }, direct);
    expect(again.probedAt).toBeGreaterThanOrEqual(r.probedAt);
    expect(again).not.toBe(r);

    const { text } = await app.core.handlers['hardware.reportText']({}, direct);
    expect(text).toMatch(/^DeepLocal hardware report/);
    expect(text).toMatch(/GPU 0: {2}NVIDIA GeForce RTX 4090 \(nvidia\)/);
    expect(text).toMatch(/CUDA 12\.4, compute capability 8\.9/);
  });

  it('a hung nvidia-smi costs at most the timeout, never blocks the event loop, and becomes a note', async () => {
    fake = fakeGpuEnv('one-gpu', { FAKE_NVIDIA_SMI_HANG: '1' });
    app = await startApp(resourcesDir, { env: fake.env, monitoring: { probeTimeoutMs: 500 } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 25);
    const t0 = Date.now();
    const r = await app.core.handlers['hardware.probe']({}, direct);
    const elapsed = Date.now() - t0;
    clearInterval(timer);
    // nvidia-smi 500 ms; systeminformation (whose graphics() runs nvidia-smi synchronously) 2 × 500 ms.
    expect(elapsed).toBeLessThan(2500);
    // A blocked loop would tick at most once; a busy machine still ticks many times.
    expect(ticks).toBeGreaterThan(5);
    expect(r.notes).toContainEqual({
      tool: 'nvidia-smi',
      code: 'TOOL_TIMEOUT',
      params: { ms: 500 },
      message: 'did not answer within 500 ms and was stopped',
    });
    expect(r.gpus).toEqual([]);
  });

  it('falls back to Node’s own figures when systeminformation fails', async () => {
    const dataDir = tmpDir();
    const r = await probeHardware({
      env: { ...process.env, PATH: pathWithoutGpuTools() },
      dataDir,
      backend: async () => ({
        devices: null,
        note: probeNote('llama-server', 'BACKEND_MISSING', { path: '/nowhere/llama-server' }),
      }),
      systemInformation: () => Promise.reject(new Error('timed out after 1000 ms')),
    });
    expect(r.notes).toEqual(
      expect.arrayContaining([
        {
          tool: 'systeminformation',
          code: 'TOOL_ERROR',
          params: { error: 'timed out after 1000 ms' },
          message: 'timed out after 1000 ms',
        },
        {
          tool: 'nvidia-smi',
          code: 'NVIDIA_SMI_MISSING',
          params: {},
          message: 'not found on PATH (no NVIDIA driver installed?)',
        },
        {
          tool: 'llama-server',
          code: 'BACKEND_MISSING',
          params: { path: '/nowhere/llama-server' },
          message: 'not found (/nowhere/llama-server); the devices the backend can use are unknown',
        },
      ]),
    );
    expect(r.cpu).toMatchObject({ source: 'os', threads: os.cpus().length });
    expect(r.memory.source).toBe('os');
    expect(r.os.source).toBe('os');
    if (process.platform === 'linux' && process.arch === 'x64') expect(typeof r.cpu.avx2).toBe('boolean');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads an AMD GPU through amd-smi, for the probe and for live samples', async () => {
    const dir = tmpDir('dl-amd-');
    const script = path.join(dir, 'amd-smi');
    fs.writeFileSync(
      script,
      `#!/bin/sh\ncase "$1" in\n  static) cat '${path.join(fixtures, 'amd-smi-static.json')}' ;;\n  metric) cat '${path.join(fixtures, 'amd-smi-metric.json')}' ;;\n  *) exit 2 ;;\nesac\n`,
      { mode: 0o755 },
    );
    app = await startApp(resourcesDir, {
      env: { ...process.env, PATH: [dir, pathWithoutGpuTools()].join(path.delimiter) },
      monitoring: { intervalMs: 200, stopGraceMs: 100 },
    });
    const r = await app.core.handlers['hardware.probe']({}, direct);
    expect(r.gpus[0]).toMatchObject({
      vendor: 'amd',
      name: 'AMD Radeon RX 7900 XTX',
      vramTotalMiB: { value: 24560, source: 'amd-smi' },
    });
    expect(r.notes).toContainEqual({
      tool: 'nvidia-smi',
      code: 'NVIDIA_SMI_MISSING',
      params: {},
      message: expect.stringMatching(/not found on PATH/),
    });

    const ws = await app.ws();
    expect((await ws.call('telemetry.status', {})).gpuSource).toBe('amd-smi');
    const sample = await new Promise<Parameters<Parameters<typeof ws.on<'telemetry.sample'>>[1]>[0]>((resolve) => {
      const off = ws.on('telemetry.sample', (s) => {
        off();
        resolve(s);
      });
    });
    expect(sample.gpus[0]).toMatchObject({
      name: 'AMD Radeon RX 7900 XTX',
      utilizationPct: 87,
      temperatureC: 68,
      vramUsedMiB: 19873,
    });
    // No power control on AMD.
    expect((await ws.call('power.status', {}))[0]!.supported).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
