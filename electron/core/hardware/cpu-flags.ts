/** CPU features llama.cpp cares about, from a flags list (systeminformation's cpuFlags or /proc/cpuinfo). Pure. */

export interface CpuFeatures {
  avx2: boolean;
  avx512: boolean;
  neon: boolean;
}

export function cpuFeatures(flags: string, arch: string): CpuFeatures {
  const set = new Set(
    flags
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean),
  );
  return {
    avx2: set.has('avx2'),
    // avx512f is the foundation every AVX-512 variant needs; llama.cpp's AVX-512 builds require it.
    avx512: set.has('avx512f') || set.has('avx512'),
    // AArch64 always has Advanced SIMD; 32-bit ARM reports "neon", Linux arm64 reports "asimd".
    neon: arch === 'arm64' || set.has('neon') || set.has('asimd'),
  };
}

/** The "flags" (x86) or "Features" (ARM) line of /proc/cpuinfo. */
export function flagsFromCpuinfo(cpuinfo: string): string {
  const m = /^(?:flags|features)\s*:\s*(.*)$/im.exec(cpuinfo);
  return m ? m[1]! : '';
}
