/**
 * Which AMD GPUs the official ROCm (HIP) builds run on. Pure.
 *
 * The targets are the `gpu_targets` lists of the pinned release workflow (llama.cpp de3ff81,
 * .github/workflows/release.yml, jobs `ubuntu-24-rocm` and `windows-rocm`). A HIP build has kernels only for the
 * targets it was compiled for, so a card outside the list (RX 580 = gfx803, Vega = gfx900, Radeon VII = gfx906)
 * gets no ROCm device and must use Vulkan. The probe gives AMD cards by name (amd-smi's market name, or the
 * pci.ids string older tools print), so names and codenames map to targets here.
 */

// Copied as written in the workflow (matrix.gpu_targets), so a later release's list can be pasted over them.
export const ROCM_GPU_TARGETS: Readonly<Record<string, readonly string[]>> = {
  linux:
    'gfx908;gfx90a;gfx942;gfx950;gfx1010;gfx1011;gfx1012;gfx1030;gfx1031;gfx1032;gfx1033;gfx1034;gfx1035;gfx1036;gfx1100;gfx1101;gfx1102;gfx1103;gfx1150;gfx1151;gfx1152;gfx1200;gfx1201'.split(
      ';',
    ),
  win32:
    'gfx1010;gfx1011;gfx1012;gfx1030;gfx1031;gfx1032;gfx1033;gfx1034;gfx1035;gfx1036;gfx1100;gfx1101;gfx1102;gfx1103;gfx1150;gfx1151;gfx1152;gfx1153;gfx1200;gfx1201'.split(
      ';',
    ),
};

/**
 * Product names and codenames → LLVM target. First match wins, so the narrower patterns (7700S before 7700)
 * come first. Unsupported targets are listed too, so the reason can name the card's target.
 */
const NAME_TARGETS: readonly [RegExp, string][] = [
  // RDNA 4
  [/\bRX\s*9070\b|\bR9700\b|\bNavi\s*48\b/i, 'gfx1201'],
  [/\bRX\s*9060\b|\bNavi\s*44\b/i, 'gfx1200'],
  // RDNA 3 (Navi 33 mobile parts carry an S suffix)
  [/\bRX\s*7(600|650|700)S\b|\bRX\s*7600M?\b|\bRX\s*7650\b|\bW7[56]00\b|\bNavi\s*33\b/i, 'gfx1102'],
  [/\bRX\s*7900M?\b|\bW7[89]00\b|\bNavi\s*31\b/i, 'gfx1100'],
  [/\bRX\s*7[78]00M?\b|\bW7700\b|\bNavi\s*32\b/i, 'gfx1101'],
  [/\b(780M|760M|740M)\b|\bPhoenix\b|\bHawk\s*Point\b/i, 'gfx1103'],
  [/\b(890M|880M)\b|\bStrix\s*Point\b/i, 'gfx1150'],
  [/\b80[456]0S\b|\bStrix\s*Halo\b/i, 'gfx1151'],
  [/\b(860M|840M)\b|\bKrackan\b/i, 'gfx1152'],
  // RDNA 2
  [/\bRX\s*6(600|650)M?\b|\bRX\s*6(700|800)S\b|\bW6600\b|\bNavi\s*23\b/i, 'gfx1032'],
  [/\bRX\s*6(700|750)\b|\bRX\s*6(700|800|850)M\b|\bNavi\s*22\b/i, 'gfx1031'],
  [/\bRX\s*6(800|900|950)\b|\bW6800\b|\bV620\b|\bNavi\s*21\b/i, 'gfx1030'],
  [/\bRX\s*6[345]00M?\b|\bW6400\b|\bNavi\s*24\b/i, 'gfx1034'],
  [/\b(680M|660M)\b|\bRembrandt\b/i, 'gfx1035'],
  [/\bRaphael\b|\b610M\b/i, 'gfx1036'],
  // RDNA 1
  [/\bRX\s*5(600|700)M?\b|\bW5700\b|\bNavi\s*10\b/i, 'gfx1010'],
  [/\bV520\b|\bNavi\s*12\b/i, 'gfx1011'],
  [/\bRX\s*5(300|500)M?\b|\bW5500\b|\bNavi\s*14\b/i, 'gfx1012'],
  // Instinct
  [/\bMI100\b/i, 'gfx908'],
  [/\bMI2[15]0X?\b/i, 'gfx90a'],
  [/\bMI3(00|25)[AX]?\b/i, 'gfx942'],
  [/\bMI35[05]X?\b/i, 'gfx950'],
  // Older cards no official ROCm build targets (named so the reason can say which target the card is)
  [/\bRadeon\s*VII\b|\bMI(50|60)\b|\bVega\s*20\b/i, 'gfx906'],
  [/\bVega\s*(56|64)\b|\bVega\s*10\b/i, 'gfx900'],
  [/\bRX\s*(4[678]0|5[4-9]0)X?\b|\bPolaris\b|\bEllesmere\b|\bBaffin\b|\bLexa\b/i, 'gfx803'],
];

/** The card's LLVM target: a `gfx…` compute capability when the probe gives one, else from its name; null if unknown. */
export function amdGfxTarget(gpu: { name: string; computeCapability: string | null }): string | null {
  const cc = gpu.computeCapability?.trim().toLowerCase();
  if (cc && /^gfx[0-9a-f]{3,4}$/.test(cc)) return cc;
  for (const [re, target] of NAME_TARGETS) if (re.test(gpu.name)) return target;
  return null;
}

export function rocmSupports(platform: string, target: string | null): boolean {
  return target !== null && (ROCM_GPU_TARGETS[platform] ?? []).includes(target);
}
