/**
 * A disagreement's field id (`gpu0.vramTotalMiB`, `nvidia.gpuCount`, as the core names them in hardware/merge.ts)
 * in words; an id it does not know stays as it is.
 */
export type FieldLabel =
  | { key: 'hardware.field.vramTotal' | 'hardware.field.vramFree'; params: { gpu: number } }
  | { key: 'hardware.field.gpuCount'; params: { vendor: string } }
  | null;

const VENDORS: Record<string, string> = { nvidia: 'NVIDIA', amd: 'AMD' };

export function fieldLabel(field: string): FieldLabel {
  const vram = /^gpu(\d+)\.(vramTotalMiB|vramFreeMiB)$/.exec(field);
  if (vram)
    return {
      key: vram[2] === 'vramTotalMiB' ? 'hardware.field.vramTotal' : 'hardware.field.vramFree',
      params: { gpu: Number(vram[1]) },
    };
  const count = /^(nvidia|amd)\.gpuCount$/.exec(field);
  if (count) return { key: 'hardware.field.gpuCount', params: { vendor: VENDORS[count[1]!]! } };
  return null;
}
