import { describe, expect, it } from 'vitest';
import { fromRaw, resolveSystemInformation } from './si-worker';

describe('systeminformation results', () => {
  it('keeps what we use and reports failed calls', () => {
    const r = fromRaw({
      osInfo: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64', hostname: 'h' },
      cpu: { manufacturer: 'AMD', brand: 'Ryzen 9 7950X', cores: 32, physicalCores: 16 },
      flags: 'avx2 avx512f',
      mem: { total: 100, available: 60, free: 10 },
      graphics: { __error: 'nvidia-smi failed' },
    });
    expect(r).toEqual({
      os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64' },
      cpu: { model: 'AMD Ryzen 9 7950X', cores: 16, threads: 32 },
      flags: 'avx2 avx512f',
      mem: { totalBytes: 100, availableBytes: 60 },
      graphics: null,
      errors: ['graphics: nvidia-smi failed'],
    });
  });

  it('maps controllers', () => {
    const r = fromRaw({
      osInfo: null,
      cpu: null,
      flags: null,
      mem: null,
      graphics: { controllers: [{ vendor: 'Intel Corporation', model: 'UHD 770', vram: 0, driverVersion: '' }] },
    });
    expect(r.graphics).toEqual([{ vendor: 'Intel Corporation', model: 'UHD 770', vramMiB: null, driverVersion: null }]);
  });

  it('finds the installed package', () => {
    expect(resolveSystemInformation()).toMatch(/systeminformation/);
  });
});
