import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendDeviceVendor, backendRank, parseListDevices } from './list-devices';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('llama-server --list-devices', () => {
  it.each([
    [
      'list-devices-cuda.txt',
      [{ name: 'CUDA0', description: 'NVIDIA GeForce RTX 4090', totalMiB: 24080, freeMiB: 22036 }],
    ],
    [
      'list-devices-two-cuda-vulkan.txt',
      [
        { name: 'CUDA0', description: 'NVIDIA GeForce RTX 3090', totalMiB: 24135, freeMiB: 23521 },
        { name: 'CUDA1', description: 'NVIDIA GeForce RTX 3060', totalMiB: 11938, freeMiB: 11655 },
        // Parentheses inside the description must not confuse the size at the end.
        { name: 'Vulkan0', description: 'Intel(R) UHD Graphics 770 (ADL-S GT1)', totalMiB: 15843, freeMiB: 15843 },
      ],
    ],
    ['list-devices-metal.txt', [{ name: 'MTL0', description: 'Apple M2 Max', totalMiB: 49152, freeMiB: 49151 }]],
    ['list-devices-none.txt', []],
  ])('%s', (file, expected) => {
    expect(parseListDevices(fixture(file))).toEqual(expected);
  });

  it('finds the list among log lines and answers null when there is none', () => {
    expect(
      parseListDevices(
        '0.00.000.505 I srv  llama_server: initializing ...\nAvailable devices:\n  CUDA0: X (10 MiB, 5 MiB free)\n',
      ),
    ).toHaveLength(1);
    expect(parseListDevices('error: unknown argument: --list-devices')).toBeNull();
  });

  it('reads the older Metal naming and drops the BLAS line (macOS build, ardanlabs/kronk#10)', () => {
    const text =
      'Available devices:\n  Metal: Apple M4 Max (98304 MiB, 98303 MiB free)\n  BLAS: Accelerate (0 MiB, 0 MiB free)\n';
    const devices = parseListDevices(text)!;
    expect(devices).toEqual([{ name: 'Metal', description: 'Apple M4 Max', totalMiB: 98304, freeMiB: 98303 }]);
    expect(backendDeviceVendor(devices[0]!)).toBe('apple');
  });

  it.each([
    [{ name: 'CUDA0', description: 'NVIDIA GeForce RTX 4090' }, 'nvidia', 0],
    [{ name: 'Vulkan0', description: 'NVIDIA GeForce RTX 4090' }, 'nvidia', 1],
    [{ name: 'ROCm0', description: 'AMD Radeon RX 7900 XTX' }, 'amd', 0],
    [{ name: 'Vulkan1', description: 'AMD Radeon(TM) 780M' }, 'amd', 1],
    [{ name: 'Vulkan0', description: 'Intel(R) Arc(tm) A770 Graphics (DG2)' }, 'intel', 1],
    [{ name: 'MTL0', description: 'Apple M2 Max' }, 'apple', 0],
    [{ name: 'RPC[127.0.0.1:50052]', description: 'remote' }, 'other', 2],
  ] as const)('%j is %s (rank %d)', (d, vendor, rank) => {
    const dev = { ...d, totalMiB: 1, freeMiB: 1 };
    expect(backendDeviceVendor(dev)).toBe(vendor);
    expect(backendRank(dev)).toBe(rank);
  });
});
