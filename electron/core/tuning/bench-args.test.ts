/** llama-bench's argv per configuration, as the pinned llama-bench (de3ff81) parses it. */
import { describe, expect, it } from 'vitest';
import type { TuneConfig } from '../../shared/tuning';
import { benchArgs, configKey, configLabel } from './bench-args';

const base: TuneConfig = {
  threads: 8,
  gpuLayers: 999,
  flashAttention: true,
  batch: 2048,
  ubatch: 512,
  cacheType: 'f16',
};
const size = { promptTokens: 64, genTokens: 16, repetitions: 2 };

describe('benchArgs', () => {
  it.each([
    [
      'all layers, fa on, f16',
      base,
      '-m /m.gguf -o json -p 64 -n 16 -r 2 -t 8 -ngl 999 -fa 1 -b 2048 -ub 512 -ctk f16 -ctv f16',
    ],
    [
      'CPU only, fa off',
      { ...base, gpuLayers: 0, flashAttention: false, threads: 4 },
      '-m /m.gguf -o json -p 64 -n 16 -r 2 -t 4 -ngl 0 -fa 0 -b 2048 -ub 512 -ctk f16 -ctv f16',
    ],
    [
      'q8_0 KV (K and V both: a quantized V needs fa, which is on)',
      { ...base, cacheType: 'q8_0' as const, batch: 512, ubatch: 128 },
      '-m /m.gguf -o json -p 64 -n 16 -r 2 -t 8 -ngl 999 -fa 1 -b 512 -ub 128 -ctk q8_0 -ctv q8_0',
    ],
    [
      // llama.cpp clamps ubatch to batch anyway; pass what it will use so the row says the truth.
      'ubatch above batch is clamped',
      { ...base, batch: 256, ubatch: 512 },
      '-m /m.gguf -o json -p 64 -n 16 -r 2 -t 8 -ngl 999 -fa 1 -b 256 -ub 256 -ctk f16 -ctv f16',
    ],
  ])('%s', (_, c, want) => {
    expect(benchArgs('/m.gguf', c, size).join(' ')).toBe(want);
  });

  it('one configuration per invocation: no comma lists', () => {
    expect(benchArgs('/m.gguf', base, size).some((a) => a.includes(','))).toBe(false);
  });

  it('refuses q8_0 without flash attention (llama.cpp would fail the context)', () => {
    expect(() => benchArgs('/m.gguf', { ...base, flashAttention: false, cacheType: 'q8_0' }, size)).toThrow(/flash/);
  });

  it('refuses a negative or fractional size', () => {
    expect(() => benchArgs('/m.gguf', base, { ...size, promptTokens: -1 })).toThrow(RangeError);
    expect(() => benchArgs('/m.gguf', base, { ...size, genTokens: 1.5 })).toThrow(RangeError);
  });

  it('labels and keys', () => {
    expect(configLabel(base)).toBe('t8 ngl=all fa=on b=2048/512 kv=f16');
    expect(configLabel({ ...base, gpuLayers: 20 })).toBe('t8 ngl=20 fa=on b=2048/512 kv=f16');
    expect(configKey(base)).not.toBe(configKey({ ...base, ubatch: 128 }));
  });
});
