/** The grid per machine: the values each dimension takes, and that it never proposes what llama.cpp refuses. */
import { describe, expect, it } from 'vitest';
import { configKey } from './bench-args';
import { expandGrid, gridSize, gridSpace, offloadOptions, threadOptions } from './grid';

describe('threadOptions: physical, all logical, half the physical', () => {
  it.each([
    [8, 16, [8, 16, 4]],
    [16, 32, [16, 32, 8]],
    [6, 6, [6, 3]],
    [2, 2, [2, 1]],
    [1, 1, [1]],
    [4, 0, [4, 2]], // logical unknown
    [0, 0, [1]], // nothing known: one thread
  ])('%i cores / %i threads → %j', (cores, logical, want) => {
    expect(threadOptions(cores, logical)).toEqual(want);
  });
});

describe('offloadOptions', () => {
  it.each([
    ['no GPU: CPU only', { gpu: false }, [0]],
    ['a GPU, the model fits: all, then none', { gpu: true, fitLayers: null, blockCount: 28 }, [999, 0]],
    ['a GPU, fit unknown: all, then none', { gpu: true }, [999, 0]],
    ['a GPU that holds 20 of 28 layers: 20, then none', { gpu: true, fitLayers: 20, blockCount: 28 }, [20, 0]],
    ['fit ≥ layers counts as all', { gpu: true, fitLayers: 28, blockCount: 28 }, [999, 0]],
    ['a GPU that holds no layer: CPU only', { gpu: true, fitLayers: 0, blockCount: 28 }, [0]],
  ])('%s', (_, input, want) => {
    expect(offloadOptions(input)).toEqual(want);
  });
});

describe('gridSpace / expandGrid', () => {
  it('this CI box (2 cores, no GPU): 2 threads × 3 attention × 3 batch = 18', () => {
    const s = gridSpace({ cores: 2, threads: 2, gpu: false });
    expect(gridSize(s)).toBe(18);
    expect(expandGrid(s)).toHaveLength(18);
  });

  it('a gaming PC (8 cores / 16 threads, one GPU the model fits): 2 × 3 × 3 × 3 = 54, all distinct', () => {
    const s = gridSpace({ cores: 8, threads: 16, gpu: true });
    const all = expandGrid(s);
    expect(all).toHaveLength(54);
    expect(new Set(all.map(configKey)).size).toBe(54);
  });

  it('never a q8_0 cache without flash attention; the first point is the default guess', () => {
    const all = expandGrid(gridSpace({ cores: 8, threads: 16, gpu: true }));
    expect(all.filter((c) => c.cacheType === 'q8_0' && !c.flashAttention)).toEqual([]);
    expect(all[0]).toEqual({
      gpuLayers: 999,
      threads: 8,
      flashAttention: true,
      cacheType: 'f16',
      batch: 2048,
      ubatch: 512,
    });
    expect(all.every((c) => c.ubatch <= c.batch)).toBe(true);
  });
});
