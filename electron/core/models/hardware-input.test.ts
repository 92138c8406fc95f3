/** The planner sees the GPUs the backend can use, with the backend's own free-memory figure when it has one. */
import { describe, expect, it } from 'vitest';
import type { HardwareReport } from '../../shared/telemetry';
import { planFit } from './fit';
import { model, q, RTX4060 } from './fit-fixtures';
import { hardwareFromReport, withRpcDevices } from './hardware-input';

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

describe('withRpcDevices: the enabled RPC workers count as extra GPUs for the fit planner', () => {
  const dev = (index: number, freeGiB: number, totalGiB = freeGiB) => ({
    index,
    name: null,
    description: null,
    freeBytes: freeGiB * 1024 * MiB,
    totalBytes: totalGiB * 1024 * MiB,
  });

  it.each([
    ['no workers: unchanged', [], []],
    [
      'two devices after the local GPU, numbered on, named as llama.cpp names them',
      [dev(0, 2), dev(0, 8, 12)],
      [
        { index: 1, name: 'RPC0', freeBytes: 2 * 1024 * MiB, totalBytes: 2 * 1024 * MiB, bandwidthGBs: null },
        { index: 2, name: 'RPC1', freeBytes: 8 * 1024 * MiB, totalBytes: 12 * 1024 * MiB, bandwidthGBs: null },
      ],
    ],
    ['a device without memory is left out', [dev(0, 0)], []],
  ])('%s', (_name, devices, extra) => {
    const out = withRpcDevices(RTX4060, devices);
    expect(out.gpus).toEqual([...RTX4060.gpus, ...extra]);
    expect(out.ramTotalBytes).toBe(RTX4060.ramTotalBytes);
  });

  it('a model that runs partly on the GPU alone runs all on GPUs with a 24 GiB worker', () => {
    const id = 'deepseek-r1-distill-qwen-14b';
    const facts = model(id).arch;
    const alone = planFit(facts, q(id, 'Q8_0'), RTX4060, 8192, 'f16');
    const withWorker = planFit(facts, q(id, 'Q8_0'), withRpcDevices(RTX4060, [dev(0, 24)]), 8192, 'f16');
    expect(alone.mode).not.toBe('gpu');
    expect(withWorker.mode).toBe('gpu');
  });
});
