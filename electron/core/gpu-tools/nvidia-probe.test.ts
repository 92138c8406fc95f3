import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCudaVersion, parseNvidiaProbe } from './nvidia-probe';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('nvidia-smi at probe time', () => {
  it('reads the static query for one and two GPUs', () => {
    expect(parseNvidiaProbe(fixture('probe-one-gpu.csv'))).toEqual([
      {
        index: 0,
        uuid: 'GPU-5d3e2f1a-7c4b-4a8e-9f6d-1b2c3d4e5f60',
        name: 'NVIDIA GeForce RTX 4090',
        totalMiB: 24564,
        freeMiB: 22481,
        driverVersion: '550.54.14',
        computeCap: '8.9',
      },
    ]);
    const two = parseNvidiaProbe(fixture('probe-two-gpus.csv'));
    expect(two.map((g) => [g.index, g.name, g.totalMiB])).toEqual([
      [0, 'NVIDIA GeForce RTX 3090', 24576],
      [1, 'NVIDIA GeForce RTX 3060', 12288],
    ]);
  });

  it('turns [N/A] text fields into null and skips non-data lines', () => {
    expect(parseNvidiaProbe('0, [N/A], Tesla K80, 11441, 11000, 470.256.02, [N/A]\nNo devices were found\n')).toEqual([
      {
        index: 0,
        uuid: null,
        name: 'Tesla K80',
        totalMiB: 11441,
        freeMiB: 11000,
        driverVersion: '470.256.02',
        computeCap: null,
      },
    ]);
  });

  it.each([
    ['banner-one-gpu.txt', '12.4'],
    ['query-q-cuda.txt', '12.4'],
    // Driver 610+ banner: "KMD Version" and "CUDA UMD Version".
    ['banner-kmd-umd.txt', '13.3'],
    ['no-driver.txt', null],
  ])('CUDA version from %s', (file, cuda) => {
    expect(parseCudaVersion(fixture(file))).toBe(cuda);
  });
});
