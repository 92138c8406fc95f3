import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListDevices } from '../gpu-tools/list-devices';
import { parseNvidiaProbe } from '../gpu-tools/nvidia-probe';
import { mergeGpus, siVendor, vramAgrees, type MergeInput } from './merge';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'gpu-tools', 'fixtures', name), 'utf8');
const base: MergeInput = { nvidia: [], cudaVersion: null, amd: [], amdSource: 'amd-smi', si: [], backend: null };

describe('merging GPU sources', () => {
  it.each<[number, number, boolean]>([
    [24564, 24563, true],
    [24564, 24500, true],
    [24564, 24080, false],
    [8192, 8100, false],
    [100, 150, true],
  ])('vramAgrees(%d, %d) = %s', (a, b, ok) => {
    expect(vramAgrees(a, b)).toBe(ok);
  });

  it.each<[number, number, boolean]>([
    [22481, 22036, true],
    [22481, 20000, false],
    [4000, 3600, true],
  ])('free: vramAgrees(%d, %d) = %s', (a, b, ok) => {
    expect(vramAgrees(a, b, 'free')).toBe(ok);
  });

  it('prefers the backend value and records the disagreement', () => {
    const r = mergeGpus({
      ...base,
      nvidia: parseNvidiaProbe(fixture('probe-one-gpu.csv')),
      cudaVersion: '12.4',
      backend: parseListDevices(fixture('list-devices-cuda.txt')),
    });
    expect(r.gpus).toHaveLength(1);
    const g = r.gpus[0]!;
    expect(g).toMatchObject({
      vendor: 'nvidia',
      cudaVersion: '12.4',
      computeCapability: '8.9',
      uuid: 'GPU-5d3e2f1a-7c4b-4a8e-9f6d-1b2c3d4e5f60',
    });
    expect(g.vramTotalMiB).toEqual({ value: 24080, source: 'llama-server' });
    expect(g.vramFreeMiB).toEqual({ value: 22036, source: 'llama-server' });
    expect(g.driverVersion).toEqual({ value: '550.54.14', source: 'nvidia-smi' });
    expect(g.backendDevice?.name).toBe('CUDA0');
    expect(r.disagreements).toEqual([
      {
        field: 'gpu0.vramTotalMiB',
        values: [
          { source: 'nvidia-smi', value: '24564 MiB' },
          { source: 'llama-server', value: '24080 MiB' },
        ],
        preferred: 'llama-server',
      },
    ]);
  });

  it('matches CUDA devices by name, adds an iGPU only the backend sees, and ignores Vulkan duplicates', () => {
    const backend = [
      ...parseListDevices(fixture('list-devices-two-cuda-vulkan.txt'))!,
      { name: 'Vulkan1', description: 'NVIDIA GeForce RTX 3090', totalMiB: 24135, freeMiB: 23000 },
    ];
    // nvidia-smi order (PCI) differs from CUDA's (fastest first): names decide.
    const nvidia = parseNvidiaProbe(fixture('probe-two-gpus.csv')).reverse();
    const r = mergeGpus({ ...base, nvidia, backend });
    expect(r.gpus.map((g) => [g.index, g.name, g.backendDevice?.name])).toEqual([
      [0, 'NVIDIA GeForce RTX 3090', 'CUDA0'],
      [1, 'NVIDIA GeForce RTX 3060', 'CUDA1'],
      [2, 'Intel(R) UHD Graphics 770 (ADL-S GT1)', 'Vulkan0'],
    ]);
    expect(r.gpus[2]).toMatchObject({ vendor: 'intel', vramTotalMiB: { value: 15843, source: 'llama-server' } });
    // Totals differ by ~1.8 % (CUDA reserves memory); free memory is within the backend-context tolerance.
    expect(r.disagreements.map((d) => d.field)).toEqual(['gpu0.vramTotalMiB', 'gpu1.vramTotalMiB']);
  });

  it('reports a GPU the backend cannot use (count disagreement)', () => {
    const r = mergeGpus({
      ...base,
      nvidia: parseNvidiaProbe(fixture('probe-two-gpus.csv')),
      backend: [{ name: 'CUDA0', description: 'NVIDIA GeForce RTX 3090', totalMiB: 24135, freeMiB: 23521 }],
    });
    expect(r.gpus[1]!.backendDevice).toBeNull();
    expect(r.disagreements.find((d) => d.field === 'nvidia.gpuCount')?.values).toEqual([
      { source: 'nvidia-smi', value: '2' },
      { source: 'llama-server', value: '1' },
    ]);
  });

  it('notes a CPU-only backend when GPUs exist', () => {
    const r = mergeGpus({ ...base, nvidia: parseNvidiaProbe(fixture('probe-one-gpu.csv')), backend: [] });
    expect(r.notes).toEqual([
      { tool: 'llama-server', code: 'BACKEND_NO_GPU', params: {}, message: expect.stringMatching(/sees no GPU/) },
    ]);
    expect(r.gpus[0]!.vramTotalMiB.source).toBe('nvidia-smi');
  });

  it('takes Apple Silicon from the backend as unified memory', () => {
    const r = mergeGpus({ ...base, backend: parseListDevices(fixture('list-devices-metal.txt')) });
    expect(r.gpus[0]).toMatchObject({ vendor: 'apple', name: 'Apple M2 Max', unifiedMemory: true });
  });

  it('fills in from systeminformation only what no vendor tool covered', () => {
    const r = mergeGpus({
      ...base,
      nvidia: parseNvidiaProbe(fixture('probe-one-gpu.csv')),
      amd: [{ index: 0, name: 'AMD Radeon RX 7900 XTX', vramTotalMiB: 24560, driverVersion: null }],
      si: [
        { vendor: 'NVIDIA Corporation', model: 'NVIDIA GeForce RTX 4090', vramMiB: 24564, driverVersion: '550.54.14' },
        { vendor: 'Advanced Micro Devices, Inc.', model: 'Navi 31', vramMiB: 24560, driverVersion: null },
        { vendor: 'Intel Corporation', model: 'UHD Graphics 770', vramMiB: null, driverVersion: null },
        { vendor: 'Red Hat, Inc.', model: 'Virtio 1.0 GPU', vramMiB: null, driverVersion: null },
      ],
    });
    expect(r.gpus.map((g) => [g.index, g.vendor, g.vramTotalMiB.source])).toEqual([
      [0, 'nvidia', 'nvidia-smi'],
      [1, 'amd', 'amd-smi'],
      [2, 'intel', 'systeminformation'],
    ]);
    expect(r.gpus[2]!.unifiedMemory).toBe(true);
  });

  it.each([
    ['NVIDIA Corporation', 'GeForce', 'nvidia'],
    ['Advanced Micro Devices, Inc. [AMD/ATI]', 'Navi', 'amd'],
    ['Intel Corporation', 'Arc A770', 'intel'],
    ['Apple', 'Apple M1', 'apple'],
    ['VMware', 'SVGA II', null],
  ])('siVendor(%s)', (vendor, model, expected) => {
    expect(siVendor(vendor, model)).toBe(expected);
  });
});
