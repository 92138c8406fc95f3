import { describe, it } from 'vitest';
import { expectChoice, machine, nv, RTX4090, type Row } from './choose-probes';

// NVIDIA: the CUDA major from the driver and every card's compute capability (CUDA 13 builds start at sm_75).
const rows: Row[] = [
  [
    'RTX 4090, driver 581.57, Windows: CUDA 13',
    machine('win32', 'x64', [RTX4090]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '581.57', gpu: 'NVIDIA GeForce RTX 4090' },
  ],
  [
    'RTX 3060, driver 560.94, Windows: CUDA 12 (driver older than 580)',
    machine('win32', 'x64', [nv('NVIDIA GeForce RTX 3060', '560.94', '8.6')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_DRIVER'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '560.94', min: '580' },
  ],
  [
    'GTX 1080 Ti (compute 6.1), driver 581.29: CUDA 12, the card is not in CUDA 13 builds',
    machine('win32', 'x64', [nv('NVIDIA GeForce GTX 1080 Ti', '581.29', '6.1')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_ARCH'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'NVIDIA GeForce GTX 1080 Ti', cc: '6.1', min: '7.5' },
  ],
  [
    'Tesla V100 (compute 7.0), Linux driver 580.95.05: CUDA 12 (sm_70 left CUDA 13)',
    machine('linux', 'x64', [nv('Tesla V100-SXM2-32GB', '580.95.05', '7.0')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_ARCH'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'Tesla V100-SXM2-32GB', cc: '7.0' },
  ],
  [
    'GTX 1080 driver 560.94: the card is the lasting reason, not the driver',
    machine('win32', 'x64', [nv('NVIDIA GeForce GTX 1080', '560.94', '6.1')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_ARCH'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { cc: '6.1' },
  ],
  [
    'RTX 4090 + GTX 1080 in one machine: every GPU must be Turing+ for CUDA 13',
    machine('linux', 'x64', [
      nv('NVIDIA GeForce RTX 4090', '580.82.07', '8.9'),
      nv('NVIDIA GeForce GTX 1080', '580.82.07', '6.1'),
    ]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_ARCH'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'NVIDIA GeForce GTX 1080', cc: '6.1' },
  ],
  [
    'driver 516.94 on Windows: too old for CUDA 12, Vulkan',
    machine('win32', 'x64', [nv('NVIDIA GeForce RTX 3070', '516.94', '8.6')]),
    [
      ['vulkan', 'NVIDIA_DRIVER_TOO_OLD'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '516.94', min: '527.41' },
  ],
  [
    'Linux 525.60.13 is exactly the CUDA 12 minimum',
    machine('linux', 'x64', [nv('NVIDIA A10', '525.60.13', '8.6')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_DRIVER'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '525.60.13' },
  ],
  [
    'Linux 525.60.11 is just below it',
    machine('linux', 'x64', [nv('NVIDIA A10', '525.60.11', '8.6')]),
    [
      ['vulkan', 'NVIDIA_DRIVER_TOO_OLD'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { min: '525.60.13' },
  ],
  [
    'Linux 525.105.17 compares per component (105 > 60), not as text',
    machine('linux', 'x64', [nv('NVIDIA A100-SXM4-80GB', '525.105.17', '8.0')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_DRIVER'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '525.105.17' },
  ],
  [
    'Windows 527.41 is the CUDA 12 minimum there (a Linux-style minimum does not apply)',
    machine('win32', 'x64', [nv('NVIDIA GeForce RTX 3080', '527.41', '8.6')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_DRIVER'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '527.41' },
  ],
  [
    'RTX 5090 (compute 12.0): 12.0 ≥ 7.5 numerically',
    machine('linux', 'x64', [nv('NVIDIA GeForce RTX 5090', '580.65.06', '12.0')]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '580.65.06' },
  ],
  [
    'Windows driver as WMI reports it (32.0.15.8157 = 581.57)',
    machine('win32', 'x64', [nv('NVIDIA GeForce RTX 4080', '32.0.15.8157', '8.9')]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '581.57' },
  ],
  [
    'GTX 780 (compute 3.5): in no CUDA build, Vulkan',
    machine('win32', 'x64', [nv('NVIDIA GeForce GTX 780', '474.44', '3.5')]),
    [
      ['vulkan', 'NVIDIA_TOO_OLD_ARCH'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'NVIDIA GeForce GTX 780', cc: '3.5', min: '5.0' },
  ],
  [
    'GTX 970 (Maxwell, 5.2): CUDA 12 still has sm_50',
    machine('linux', 'x64', [nv('NVIDIA GeForce GTX 970', '580.76.05', '5.2')]),
    [
      ['cuda-12', 'NVIDIA_CUDA12_ARCH'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { cc: '5.2' },
  ],
  [
    'nvidia-smi gave no driver version: CUDA 12 first, the device check decides',
    machine('linux', 'x64', [nv('NVIDIA GeForce RTX 4070', null, null)]),
    [
      ['cuda-12', 'NVIDIA_DRIVER_UNKNOWN'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { gpu: 'NVIDIA GeForce RTX 4070' },
  ],
  [
    'DGX Spark (GB10, Linux arm64, compute 12.1): CUDA 13 exists for arm64',
    machine('linux', 'arm64', [nv('NVIDIA GB10', '580.95.05', '12.1')]),
    [
      ['cuda-13', 'NVIDIA_CUDA13'],
      ['vulkan', 'GPU_VULKAN'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { driver: '580.95.05' },
  ],
  [
    'Linux arm64 with a driver older than 580: no CUDA 12 build for arm64, Vulkan says so',
    machine('linux', 'arm64', [nv('NVIDIA RTX A4000', '570.172.08', '8.6')]),
    [
      ['vulkan', 'VARIANT_NOT_BUILT'],
      ['cpu', 'CPU_FALLBACK'],
    ],
    { wanted: 'CUDA 12', os: 'Linux', arch: 'arm64', gpu: 'NVIDIA RTX A4000' },
  ],
];

describe('chooseCandidates: NVIDIA', () => {
  it.each(rows)('%s', (_, input, expected, params) => expectChoice(input, expected, params));
});
