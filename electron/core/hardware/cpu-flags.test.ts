import { describe, expect, it } from 'vitest';
import { cpuFeatures, flagsFromCpuinfo } from './cpu-flags';

describe('cpu features', () => {
  it.each([
    ['Zen 4', 'fpu sse sse2 avx avx2 fma avx512f avx512dq avx512bw', 'x64', { avx2: true, avx512: true, neon: false }],
    ['Skylake client', 'sse4_2 avx avx2 fma bmi2', 'x64', { avx2: true, avx512: false, neon: false }],
    ['old Xeon', 'sse4_2 avx', 'x64', { avx2: false, avx512: false, neon: false }],
    ['arm64 Linux', 'fp asimd evtstrm aes', 'arm64', { avx2: false, avx512: false, neon: true }],
    ['Apple Silicon (no flags at all)', '', 'arm64', { avx2: false, avx512: false, neon: true }],
    ['32-bit ARM', 'half thumb fastmult vfp edsp neon', 'arm', { avx2: false, avx512: false, neon: true }],
    ['case and commas', 'AVX2,AVX512F', 'x64', { avx2: true, avx512: true, neon: false }],
  ])('%s', (_n, flags, arch, expected) => {
    expect(cpuFeatures(flags, arch)).toEqual(expected);
  });

  it('reads the flags (x86) or Features (ARM) line of /proc/cpuinfo', () => {
    expect(flagsFromCpuinfo('processor\t: 0\nflags\t\t: fpu avx2\nbugs\t: x\n')).toBe('fpu avx2');
    expect(flagsFromCpuinfo('processor\t: 0\nFeatures\t: fp asimd\n')).toBe('fp asimd');
    expect(flagsFromCpuinfo('')).toBe('');
  });
});
