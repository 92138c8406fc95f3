/** The planner sees the GPUs the backend can use, with the backend's own free-memory figure when it has one. */
import { describe, expect, it } from 'vitest';
import type { HardwareReport } from '../../shared/telemetry';
import { hardwareFromReport } from './hardware-input';

const gpu = (over: Partial<HardwareReport['gpus'][number]> = {}): HardwareReport['gpus'][number] => ({
  index: 0,
  vendor: 'nvidia',
  name: 'NVIDIA GeForce RTX 4070',
  uuid: null,
  vramTotalMiB: { value: 12282, source: 'nvidia-smi' },
  vramFreeMiB: { value: 11000, source: 'nvidia-smi' },
  driverVersion: { value: '560', source: 'nvidia-smi' },
  cudaVersion: '12.6',
  computeCapability: '8.9',
  unifiedMemory: false,
  backendDevice: null,
  ...over,
});

const report = (
  gpus: HardwareReport['gpus'],
  backendDevices: HardwareReport['backendDevices'] = [],
): HardwareReport => ({
  probedAt: 0,
  durationMs: 1,
  os: { platform: 'linux', distro: 'x', release: '1', arch: 'x64', source: 'os' },
  cpu: { model: 'cpu', cores: 8, threads: 16, avx2: true, avx512: false, neon: false, source: 'os' },
  memory: { totalBytes: 32e9, availableBytes: 20e9, source: 'os' },
  disk: { path: '/', freeBytes: 1e12, totalBytes: 2e12, source: 'os' },
  gpus,
  backendDevices,
  disagreements: [],
  notes: [],
});

const MiB = 1024 * 1024;

describe('hardwareFromReport', () => {
  it('uses nvidia-smi figures when the backend did not list devices', () => {
    const h = hardwareFromReport(report([gpu()]));
    expect(h.gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4070',
        freeBytes: 11000 * MiB,
        totalBytes: 12282 * MiB,
        bandwidthGBs: null,
      },
    ]);
    expect(h.ramAvailableBytes).toBe(20e9);
  });

  it("prefers the backend's free memory (what llama-server will actually get)", () => {
    const dev = { name: 'CUDA0', description: 'RTX 4070', totalMiB: 12000, freeMiB: 10500 };
    expect(hardwareFromReport(report([gpu({ backendDevice: dev })], [dev])).gpus[0]!.freeBytes).toBe(10500 * MiB);
  });

  it('drops GPUs the backend cannot use (a CPU-only build lists only the CPU)', () => {
    const cpu = { name: 'CPU', description: 'cpu', totalMiB: null, freeMiB: null };
    expect(hardwareFromReport(report([gpu()], [cpu])).gpus).toEqual([]);
  });

  // The bug of issue 11: a runtime that listed `(none)` left backendDevices empty, which read as "unknown", and the
  // wizard promised GPU speed on a GPU the runtime cannot use.
  it('plans on no GPU when the active runtime listed none (listed none is not unknown)', () => {
    expect(hardwareFromReport({ ...report([gpu()]), backendListed: true }).gpus).toEqual([]);
  });

  it("keeps the vendor tools' GPUs when the runtime could not list (unknown)", () => {
    expect(hardwareFromReport({ ...report([gpu()]), backendListed: false }).gpus).toHaveLength(1);
  });

  it('plans on a device only the runtime knows (lavapipe through Vulkan), with its own memory figures', () => {
    const dev = { name: 'Vulkan0', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', totalMiB: 2048, freeMiB: 2048 };
    const llvmpipe = gpu({
      vendor: 'other',
      name: dev.description,
      vramTotalMiB: { value: 2048, source: 'llama-server' },
      vramFreeMiB: { value: 2048, source: 'llama-server' },
      backendDevice: dev,
    });
    expect(hardwareFromReport({ ...report([llvmpipe], [dev]), backendListed: true }).gpus).toEqual([
      { index: 0, name: dev.description, freeBytes: 2048 * MiB, totalBytes: 2048 * MiB, bandwidthGBs: null },
    ]);
  });

  it('marks unified memory (Apple Silicon)', () => {
    expect(hardwareFromReport(report([gpu({ vendor: 'apple', unifiedMemory: true })])).unifiedMemory).toBe(true);
  });
});
