/**
 * Power-limit presets, shared by the core and the renderer so the slider's preset buttons and the API agree.
 * A preset is a share of the GPU's default limit, always clamped to what the GPU accepts (min..max).
 */
export const POWER_PRESETS = { quiet: 0.7, balanced: 0.85, max: 1 } as const;
export type PowerPreset = keyof typeof POWER_PRESETS;
export const powerPresetNames = Object.keys(POWER_PRESETS) as PowerPreset[];

export interface PowerRange {
  defaultLimitW: number | null;
  minLimitW: number | null;
  maxLimitW: number | null;
}

/** Whole watts inside min..max (nvidia-smi rejects a value even 0.01 W outside, so round inwards). */
export function clampWatts(watts: number, range: Pick<PowerRange, 'minLimitW' | 'maxLimitW'>): number {
  let w = Math.round(watts);
  if (range.maxLimitW !== null) w = Math.min(w, Math.floor(range.maxLimitW));
  if (range.minLimitW !== null) w = Math.max(w, Math.ceil(range.minLimitW));
  return w;
}

/** The watts for a preset, or null when the GPU reports no default limit (then presets cannot apply). */
export function presetWatts(preset: PowerPreset, range: PowerRange): number | null {
  if (range.defaultLimitW === null || !(range.defaultLimitW > 0)) return null;
  return clampWatts(range.defaultLimitW * POWER_PRESETS[preset], range);
}
