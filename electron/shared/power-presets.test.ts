import { describe, expect, it } from 'vitest';
import { clampWatts, presetWatts, type PowerPreset, type PowerRange } from './power-presets';

const rtx4090: PowerRange = { defaultLimitW: 450, minLimitW: 150, maxLimitW: 600 };
const rtx3060: PowerRange = { defaultLimitW: 170, minLimitW: 100, maxLimitW: 170 };
// A card whose minimum is above 70 % of its default: the quiet preset must not go below what nvidia-smi accepts.
const highMin: PowerRange = { defaultLimitW: 180, minLimitW: 150.5, maxLimitW: 200 };

describe('presetWatts', () => {
  it.each<[string, PowerPreset, PowerRange, number | null]>([
    ['quiet is 70 % of default', 'quiet', rtx4090, 315],
    ['balanced is 85 % of default', 'balanced', rtx4090, 383],
    ['max is the default, not the max limit', 'max', rtx4090, 450],
    ['quiet on a small card', 'quiet', rtx3060, 119],
    ['clamped up to a fractional minimum (rounded inwards)', 'quiet', highMin, 151],
    ['balanced above the minimum stays', 'balanced', highMin, 153],
    ['no default → no preset', 'max', { defaultLimitW: null, minLimitW: 5, maxLimitW: 95 }, null],
    ['no min/max known → unclamped', 'quiet', { defaultLimitW: 100, minLimitW: null, maxLimitW: null }, 70],
  ])('%s', (_name, preset, range, expected) => {
    expect(presetWatts(preset, range)).toBe(expected);
  });
});

describe('clampWatts', () => {
  it.each<[number, number | null, number | null, number]>([
    [250, 150, 600, 250],
    [100, 150, 600, 150],
    [700, 150, 600, 600],
    [599.6, 150, 599.5, 599],
    [249.4, null, null, 249],
  ])('%d within %s..%s → %d', (w, min, max, expected) => {
    expect(clampWatts(w, { minLimitW: min, maxLimitW: max })).toBe(expected);
  });
});
