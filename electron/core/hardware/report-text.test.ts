import { describe, expect, it } from 'vitest';
import { probeNote, type HardwareReport } from '../../shared/telemetry';
import { formatBytes, formatHardwareReport } from './report-text';

const report: HardwareReport = {
  probedAt: Date.UTC(2025, 2, 4, 21, 17, 2),
  durationMs: 812.4,
  os: { platform: 'linux', distro: 'Debian GNU/Linux', release: '12', arch: 'x64', source: 'systeminformation' },
  cpu: {
    model: 'AMD Ryzen 9 7950X',
    cores: 16,
    threads: 32,
    avx2: true,
    avx512: true,
    neon: false,
    source: 'systeminformation',
  },
  memory: { totalBytes: 64 * 1024 ** 3, availableBytes: 48 * 1024 ** 3, source: 'systeminformation' },
  disk: { path: '/home/u/.config/DeepLocal', freeBytes: 812 * 1024 ** 3, totalBytes: 2 * 1024 ** 4, source: 'os' },
  gpus: [
    {
      index: 0,
      vendor: 'nvidia',
      name: 'NVIDIA GeForce RTX 4090',
      uuid: 'GPU-5d3e',
      vramTotalMiB: { value: 24080, source: 'llama-server' },
      vramFreeMiB: { value: 22036, source: 'llama-server' },
      driverVersion: { value: '550.54.14', source: 'nvidia-smi' },
      cudaVersion: '12.4',
      computeCapability: '8.9',
      unifiedMemory: false,
      backendDevice: { name: 'CUDA0', description: 'NVIDIA GeForce RTX 4090', totalMiB: 24080, freeMiB: 22036 },
    },
  ],
  backendDevices: [{ name: 'CUDA0', description: 'NVIDIA GeForce RTX 4090', totalMiB: 24080, freeMiB: 22036 }],
  disagreements: [
    {
      field: 'gpu0.vramTotalMiB',
      values: [
        { source: 'nvidia-smi', value: '24564 MiB' },
        { source: 'llama-server', value: '24080 MiB' },
      ],
      preferred: 'llama-server',
    },
  ],
  notes: [probeNote('amd-smi', 'TOOL_ERROR', { error: 'not found' })],
};

describe('hardware report as text', () => {
  it('says everything a bug report needs, with sources', () => {
    const text = formatHardwareReport(report);
    expect(text).toBe(`DeepLocal hardware report — 2025-03-04T21:17:02.000Z (probed in 812 ms)

OS:     Debian GNU/Linux 12 (linux, x64)  [systeminformation]
CPU:    AMD Ryzen 9 7950X — 16 cores / 32 threads; AVX2 yes, AVX-512 yes, NEON no  [systeminformation]
RAM:    64.0 GiB total, 48.0 GiB available  [systeminformation]
Disk:   /home/u/.config/DeepLocal — 812.0 GiB free of 2.00 TiB  [os]

GPU 0:  NVIDIA GeForce RTX 4090 (nvidia)  GPU-5d3e
        VRAM 24080 MiB total [llama-server], 22036 MiB free [llama-server]
        driver 550.54.14 [nvidia-smi], CUDA 12.4, compute capability 8.9
        backend device: CUDA0 (NVIDIA GeForce RTX 4090)

Backend devices (llama-server --list-devices):
  CUDA0: NVIDIA GeForce RTX 4090 (24080 MiB, 22036 MiB free)

Disagreements:
  gpu0.vramTotalMiB: nvidia-smi 24564 MiB, llama-server 24080 MiB → using llama-server

Notes:
  amd-smi: not found
`);
  });

  it('handles no GPU and unknown sizes', () => {
    const text = formatHardwareReport({
      ...report,
      gpus: [],
      backendDevices: [],
      disagreements: [],
      notes: [],
      disk: { ...report.disk, freeBytes: null, totalBytes: null },
    });
    expect(text).toMatch(/GPUs: {3}none found/);
    expect(text).toMatch(/unknown free of unknown/);
    expect(text).not.toMatch(/Disagreements|Notes/);
  });

  it('names the runtime, why it was chosen and each fallback, and tells "listed none" from "unknown"', () => {
    const runtime = {
      id: 'b1-cpu',
      variant: 'cpu',
      source: 'release',
      tag: 'b1',
      setting: 'auto',
      reason: { code: 'CPU_FALLBACK', params: {}, message: 'runs everywhere, on the CPU' },
      fallbacks: [
        {
          runtimeId: 'b1-cuda-12',
          variant: 'cuda-12',
          problem: {
            code: 'MISSING_LIBRARY',
            params: { library: 'cudart64_12.dll' },
            message: 'cudart64_12.dll missing',
          },
        },
      ],
      gpuUnusable: { gpus: ['NVIDIA GeForce RTX 4090'], suggest: 'vulkan' },
      summary: 'CUDA 12 runtime: cudart64_12.dll missing — using CPU (b1-cpu) on the CPU',
    };
    const text = formatHardwareReport({ ...report, backendDevices: [], backendListed: true, runtime });
    expect(text).toContain(`
Runtime: CUDA 12 runtime: cudart64_12.dll missing — using CPU (b1-cpu) on the CPU
  active: b1-cpu (cpu, release, b1); setting auto; runs everywhere, on the CPU
  fell back from b1-cuda-12 (cuda-12): cudart64_12.dll missing
  unused GPU: NVIDIA GeForce RTX 4090; suggested runtime: vulkan

Backend devices (llama-server --list-devices):
  none listed (models run on the CPU)
`);
    const unknown = formatHardwareReport({
      ...report,
      backendDevices: [],
      backendListed: false,
      runtime: {
        ...runtime,
        id: null,
        variant: null,
        source: null,
        tag: null,
        reason: null,
        fallbacks: [],
        gpuUnusable: null,
      },
    });
    expect(unknown).toContain('  active: none; setting auto\n');
    expect(unknown).toContain('  unknown (no device list from the runtime)\n');
  });

  it.each<[number | null, string]>([
    [null, 'unknown'],
    [1024 ** 3 * 1.5, '1.5 GiB'],
    [1024 ** 4 * 3, '3.00 TiB'],
  ])('formatBytes(%s) = %s', (b, s) => {
    expect(formatBytes(b)).toBe(s);
  });
});
