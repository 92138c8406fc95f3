import { describe, expect, it } from 'vitest';
import { chunksForKldBase, KLD_BASE_MAX_BYTES, kldBaseBytes, qualitySettings } from './settings';

describe('qualitySettings', () => {
  it.each([
    [undefined, { contextSize: 512, chunks: 64 }],
    [{}, { contextSize: 512, chunks: 64 }],
    [
      { contextSize: 128, chunks: 2 },
      { contextSize: 128, chunks: 2 },
    ],
    [{ chunks: 3 }, { contextSize: 512, chunks: 3 }],
    // Not a positive integer: the default.
    [
      { contextSize: 0, chunks: -1 },
      { contextSize: 512, chunks: 64 },
    ],
    [
      { contextSize: 1.5, chunks: Number.NaN },
      { contextSize: 512, chunks: 64 },
    ],
  ])('%j → %j', (o, want) => {
    expect(qualitySettings(o)).toEqual(want);
  });
});

describe('the KL-divergence base file size (perplexity.cpp layout)', () => {
  it('is header + tokens + per scored token (n_vocab rounded to even + 4) uint16', () => {
    // n_ctx 512: 255 scored tokens a chunk; 152 064 vocab → nv = 152 068 uint16 = 304 136 B a token.
    expect(kldBaseBytes(152_064, 512, 1)).toBe(20 + 4 * 512 + 255 * 304_136);
    expect(kldBaseBytes(152_064, 512, 64)).toBe(20 + 4 * 512 * 64 + 64 * 255 * 304_136);
    // An odd vocabulary is rounded up to even.
    expect(kldBaseBytes(32_001, 128, 2)).toBe(20 + 4 * 128 * 2 + 2 * 63 * (32_002 + 4) * 2);
  });

  it('the default settings stay under the cap for a 152k vocabulary (≈ 5 GB)', () => {
    const bytes = kldBaseBytes(152_064, 512, 64);
    expect(bytes).toBeLessThan(KLD_BASE_MAX_BYTES);
    expect(bytes / 1e9).toBeCloseTo(4.96, 1);
    expect(chunksForKldBase(152_064, 512, 64)).toBe(64);
  });

  it('a bigger vocabulary gets fewer chunks, never below one', () => {
    const capped = chunksForKldBase(262_144, 512, 64);
    expect(capped).toBeLessThan(64);
    expect(kldBaseBytes(262_144, 512, capped)).toBeLessThanOrEqual(KLD_BASE_MAX_BYTES);
    expect(kldBaseBytes(262_144, 512, capped + 1)).toBeGreaterThan(KLD_BASE_MAX_BYTES);
    expect(chunksForKldBase(152_064, 512, 64, 1000)).toBe(1);
  });
});
