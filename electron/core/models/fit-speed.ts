/**
 * The fit planner's speed estimate. Generation is memory-bound, so tokens/s ≈ 1 / Σ(bytes read per token / bandwidth)
 * over GPU and CPU parts.
 */
import type { HardwareInput, SpeedClass } from '../../shared/models';

/** A GPU's memory bandwidth in GB/s from its name, for the speed estimate only. */
export function gpuBandwidthGBs(name: string): number {
  const n = name.toLowerCase();
  const table: [RegExp, number][] = [
    [/5090/, 1792],
    [/5080/, 960],
    [/5070 ti/, 896],
    [/5070/, 672],
    [/5060 ti/, 448],
    [/5060/, 448],
    [/4090/, 1008],
    [/4080 super/, 736],
    [/4080/, 717],
    [/4070 ti super/, 672],
    [/4070/, 504],
    [/4060 ti/, 288],
    [/4060/, 272],
    [/3090/, 936],
    [/3080 ti/, 912],
    [/3080/, 760],
    [/3070/, 448],
    [/3060 ti/, 448],
    [/3060/, 360],
    [/3050/, 224],
    [/2080 ti/, 616],
    [/2080/, 448],
    [/2070/, 448],
    [/2060/, 336],
    [/1080 ti/, 484],
    [/1080/, 320],
    [/1070/, 256],
    [/1660/, 192],
    [/h200/, 4800],
    [/h100/, 3350],
    [/a100/, 1935],
    [/l40/, 864],
    [/a6000/, 768],
    [/a5000/, 768],
    [/a4000/, 448],
    [/7900 xtx/, 960],
    [/7900 xt/, 800],
    [/7800 xt/, 624],
    [/7700 xt/, 432],
    [/7600/, 288],
    [/6900 xt|6950 xt/, 576],
    [/6800/, 512],
    [/6700 xt/, 384],
    [/9070/, 640],
    [/m\d (ultra)/, 800],
    [/m\d max/, 400],
    [/m\d pro/, 200],
    [/apple|m[1-4]\b/, 100],
    [/arc a770/, 560],
    [/arc a750/, 512],
    [/arc b580/, 456],
  ];
  for (const [re, bw] of table) if (re.test(n)) return bw;
  return 300;
}

const DEFAULT_RAM_BW = 50;

/** Tokens per second when `readGpu` bytes per token are read on the GPUs `gpusUsed` and `readCpu` from RAM. */
export function tokensPerSecond(
  hw: HardwareInput,
  gpusUsed: number[],
  readGpu: number,
  readCpu: number,
): number | null {
  const bw = gpusUsed.length
    ? Math.min(...gpusUsed.map((i) => hw.gpus[i]!.bandwidthGBs ?? gpuBandwidthGBs(hw.gpus[i]!.name)))
    : 1;
  const secs = readGpu / (bw * 1e9 * 0.7) + readCpu / ((hw.ramBandwidthGBs ?? DEFAULT_RAM_BW) * 1e9 * 0.55);
  return secs > 0 ? Math.round((1 / secs) * 10) / 10 : null;
}

export function speedClass(tps: number | null): SpeedClass {
  if (tps === null) return 'none';
  if (tps >= 20) return 'fast';
  if (tps >= 8) return 'good';
  if (tps >= 2) return 'slow';
  return 'very-slow';
}
