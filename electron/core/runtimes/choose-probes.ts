/** Recorded hardware probes for the chooser's table tests (choose.test.ts, choose-nvidia.test.ts). */
import { expect } from 'vitest';
import { runtimeReasonMessages, type RuntimeReasonCode, type RuntimeVariant } from '../../shared/runtimes';
import { chooseCandidates, type ChooserGpu, type ChooserInput } from './choose';

// Probes as the hardware probe records them: names as nvidia-smi / amd-smi / systeminformation print them,
// driver versions as nvidia-smi prints them, compute capability from `nvidia-smi --query-gpu=compute_cap`.
export const nv = (name: string, driverVersion: string | null, computeCapability: string | null): ChooserGpu => ({
  vendor: 'nvidia',
  name,
  driverVersion,
  computeCapability,
});
export const gpu = (
  vendor: ChooserGpu['vendor'],
  name: string,
  computeCapability: string | null = null,
): ChooserGpu => ({
  vendor,
  name,
  driverVersion: null,
  computeCapability,
});
export const machine = (platform: string, arch: string, gpus: ChooserGpu[], avx2 = true): ChooserInput => ({
  platform,
  arch,
  cpu: { avx2 },
  gpus,
});

export type Row = [
  string,
  ChooserInput,
  [RuntimeVariant, RuntimeReasonCode][],
  /** Params the first candidate's reason must carry. */
  Record<string, string>,
];

export const RTX4090 = nv('NVIDIA GeForce RTX 4090', '581.57', '8.9');

/** The candidates in order with their reason codes; the first reason's params; every placeholder filled. */
export function expectChoice(input: ChooserInput, expected: Row[2], params: Row[3]): void {
  const out = chooseCandidates(input);
  expect(out.map((c) => [c.variant, c.reason.code])).toEqual(expected);
  expect(out[0]!.reason.params).toMatchObject(params);
  for (const c of out) {
    // Every placeholder of the reason, in both languages, is filled (fillMessage writes … for a missing one).
    expect(c.reason.message).not.toContain('…');
    for (const lang of ['en', 'zh-CN'] as const) {
      const wanted = [...runtimeReasonMessages[lang][c.reason.code].matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);
      expect(Object.keys(c.reason.params)).toEqual(expect.arrayContaining(wanted));
    }
  }
  expect(out.at(-1)!.variant).toBe('cpu');
  expect(new Set(out.map((x) => x.variant)).size).toBe(out.length);
}
