import { describe, expect, it } from 'vitest';
import { chooseCandidates, compareDotted, nvidiaDriverVersion } from './choose';
import { expectChoice, gpu, machine, nv, RTX4090, type Row } from './choose-probes';

// AMD, Intel, Apple, mixed machines, no GPU, AVX2 off (NVIDIA-only machines: choose-nvidia.test.ts).
const rows: Row[] = [
  [
    'AMD RX 7900 XTX on Linux (gfx1100): ROCm',
    machine('linux', 'x64', [gpu('amd', 'AMD Radeon RX 7900 XTX')]),
    [
      ['rocm', 'AMD_ROCM'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'AMD Radeon RX 7900 XTX', target: 'gfx1100' },
  ],
  [
    'AMD RX 7900 XTX on Windows: ROCm too (gfx1100 is in the Windows build)',
    machine('win32', 'x64', [gpu('amd', 'AMD Radeon RX 7900 XTX')]),
    [
      ['rocm', 'AMD_ROCM'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'gfx1100' },
  ],
  [
    'AMD RX 580 (gfx803): not in the ROCm build, Vulkan',
    machine('win32', 'x64', [gpu('amd', 'Radeon RX 580 Series')]),
    [
      ['vulkan', 'AMD_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Radeon RX 580 Series', target: 'gfx803' },
  ],
  [
    'AMD Instinct MI300X: ROCm on Linux (gfx942)',
    machine('linux', 'x64', [gpu('amd', 'AMD Instinct MI300X')]),
    [
      ['rocm', 'AMD_ROCM'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'gfx942' },
  ],
  [
    'AMD Instinct MI300X on Windows: the Windows build has no gfx942',
    machine('win32', 'x64', [gpu('amd', 'AMD Instinct MI300X')]),
    [
      ['vulkan', 'AMD_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'gfx942', os: 'Windows' },
  ],
  [
    'gfx1153 from the probe: only the Windows build has it',
    machine('linux', 'x64', [gpu('amd', 'AMD Radeon Graphics', 'gfx1153')]),
    [
      ['vulkan', 'AMD_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'gfx1153', os: 'Linux' },
  ],
  [
    'an AMD card the table cannot name: Vulkan, target unknown',
    machine('linux', 'x64', [gpu('amd', 'AMD Radeon(TM) Graphics')]),
    [
      ['vulkan', 'AMD_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'unknown' },
  ],
  [
    'AMD on Linux arm64: no ROCm build there',
    machine('linux', 'arm64', [gpu('amd', 'AMD Radeon RX 7600')]),
    [
      ['vulkan', 'AMD_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { target: 'gfx1102', arch: 'arm64' },
  ],
  [
    'Intel Arc A770 on Windows: Vulkan',
    machine('win32', 'x64', [gpu('intel', 'Intel(R) Arc(TM) A770 Graphics')]),
    [
      ['vulkan', 'INTEL_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Intel(R) Arc(TM) A770 Graphics' },
  ],
  [
    'laptop: RTX 4060 Laptop + Intel UHD: CUDA 13, then Vulkan for the Intel GPU',
    machine('win32', 'x64', [
      nv('NVIDIA GeForce RTX 4060 Laptop GPU', '581.57', '8.9'),
      gpu('intel', 'Intel(R) UHD Graphics'),
    ]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'INTEL_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'NVIDIA GeForce RTX 4060 Laptop GPU' },
  ],
  [
    'NVIDIA + AMD: CUDA before ROCm, Vulkan after both',
    machine('linux', 'x64', [RTX4090, gpu('amd', 'AMD Radeon RX 6800 XT')]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['rocm', 'AMD_ROCM'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    {},
  ],
  [
    'Apple M2: Metal',
    machine('darwin', 'arm64', [gpu('apple', 'Apple M2')]),
    [
      ['metal', 'APPLE_METAL'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Apple M2' },
  ],
  [
    'Apple silicon whose probe found no GPU: still Metal',
    machine('darwin', 'arm64', []),
    [
      ['metal', 'APPLE_METAL'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Apple silicon' },
  ],
  [
    'Intel Mac with a Radeon Pro: the macOS x64 build is CPU only',
    machine('darwin', 'x64', [gpu('amd', 'AMD Radeon Pro 5500M'), gpu('intel', 'Intel UHD Graphics 630')]),
    [['cpu', 'GPU_NOT_BUILT']],
    { gpu: 'AMD Radeon Pro 5500M, Intel UHD Graphics 630', os: 'macOS', arch: 'x64' },
  ],
  [
    'Windows on Arm with an Adreno GPU: no official GPU build for it',
    machine('win32', 'arm64', [gpu('other', 'Qualcomm(R) Adreno(TM) X1-85 GPU')]),
    [['cpu', 'GPU_NOT_BUILT']],
    { os: 'Windows', arch: 'arm64' },
  ],
  ['no GPU, Linux', machine('linux', 'x64', []), [['cpu', 'NO_GPU']], {}],
  [
    'no GPU and AVX2 off: still the CPU build (it picks the instruction set at run time)',
    machine('win32', 'x64', [], false),
    [['cpu', 'CPU_NO_AVX2']],
    {},
  ],
  [
    'AVX2 off does not change the GPU choice',
    machine('win32', 'x64', [RTX4090], false),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_NO_AVX2'],
    ],
    { driver: '581.57' },
  ],
  [
    'a GPU of unknown vendor on Linux: Vulkan',
    machine('linux', 'x64', [gpu('other', 'Moore Threads MTT S80')]),
    [
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Moore Threads MTT S80' },
  ],
];

describe('chooseCandidates', () => {
  it.each(rows)('%s', (_, input, expected, params) => expectChoice(input, expected, params));

  it('never offers Vulkan where official releases publish none (macOS, Windows on Arm)', () => {
    for (const [, input] of rows) {
      const variants = chooseCandidates(input).map((c) => c.variant);
      if (input.platform === 'darwin' || (input.platform === 'win32' && input.arch === 'arm64'))
        expect(variants).not.toContain('vulkan');
    }
  });

  it('says the driver and the minimum in words', () => {
    const [first] = chooseCandidates(machine('win32', 'x64', [nv('NVIDIA GeForce RTX 3070', '516.94', '8.6')]));
    expect(first!.reason.message).toBe(
      'driver 516.94 is too old for CUDA 12 (needs 527.41 or newer); update the NVIDIA driver',
    );
  });
});

describe('driver versions', () => {
  it.each([
    ['581.57', '581.57'],
    ['525.60.13', '525.60.13'],
    [' 560.94 ', '560.94'],
    ['32.0.15.8157', '581.57'],
    ['31.0.15.5222', '552.22'],
    ['30.0.14.7141', '471.41'],
    ['N/A', null],
    ['', null],
    [null, null],
  ])('%j -> %j', (raw, expected) => {
    expect(nvidiaDriverVersion(raw)).toBe(expected);
  });

  it.each([
    [[525, 60, 13], [525, 105, 17], -1],
    [[580], [580, 0, 0], 0],
    [[581, 57], [580], 1],
    [[12, 0], [7, 5], 1],
  ])('%j vs %j', (a, b, sign) => {
    expect(Math.sign(compareDotted(a, b))).toBe(sign);
  });
});
