import { describe, expect, it } from 'vitest';
import type { QuantType } from '../../../shared/quant';
import type { GgufTensorInfo } from '../../models/gguf';
import { estimateQuantBytes, isHighPrecision, withFallback } from './estimate';

const F32 = 0;
const F16 = 1;
const t = (name: string, dims: number[], type = F16): GgufTensorInfo => {
  const elements = dims.reduce((a, b) => a * b, 1);
  return { name, dims, type, offset: 0, bytes: elements * (type === F32 ? 4 : 2) };
};
const qt = (id: string, bitsPerWeight: number | null, family: QuantType['family'] = 'k'): QuantType => ({
  id,
  ftype: null,
  toolNote: '',
  bitsPerWeight,
  needsImatrix: false,
  family,
});

// Q8_0: 34 bytes per 32; Q6_K: 210 per 256; Q4_K: 144 per 256; Q5_0: 22 per 32; Q4_0: 18 per 32.
const q8 = (n: number) => (n / 32) * 34;
const q6k = (n: number) => (n / 256) * 210;
const q4k = (n: number) => (n / 256) * 144;

describe('estimateQuantBytes', () => {
  const norm = t('blk.0.attn_norm.weight', [256], F32);
  const bias = t('output.bias', [1000], F32);

  it('1-D tensors keep their bytes, matrices get the type (Q8_0 throughout, output too)', () => {
    const tensors = [
      norm,
      bias,
      t('token_embd.weight', [256, 1000]),
      t('blk.0.attn_q.weight', [256, 256]),
      t('output.weight', [256, 1000]),
    ];
    expect(estimateQuantBytes(tensors, qt('Q8_0', 8.5, 'legacy'))).toBe(
      256 * 4 + 1000 * 4 + q8(256 * 1000) + q8(256 * 256) + q8(256 * 1000),
    );
  });

  it('Q4_0: output.weight goes to Q6_K, token embeddings and layers to Q4_0', () => {
    const tensors = [
      t('token_embd.weight', [256, 1000]),
      t('blk.0.ffn_up.weight', [256, 768]),
      t('output.weight', [256, 1000]),
    ];
    expect(estimateQuantBytes(tensors, qt('Q4_0', 4.5, 'legacy'))).toBe(
      (256000 / 32) * 18 + ((256 * 768) / 32) * 18 + q6k(256000),
    );
  });

  it('a K mix: output Q6_K, token embeddings at the default type, layers at the mix average', () => {
    const tensors = [
      t('token_embd.weight', [256, 1000]),
      t('blk.0.ffn_up.weight', [256, 768]),
      t('output.weight', [256, 1000]),
    ];
    expect(estimateQuantBytes(tensors, qt('Q4_K_M', 4.9))).toBe(
      Math.round(q4k(256000) + Math.ceil((256 * 768 * 4.9) / 8) + q6k(256000)),
    );
  });

  it('tied embeddings (no output.weight) are quantized like the output', () => {
    const tensors = [t('token_embd.weight', [256, 1000])];
    expect(estimateQuantBytes(tensors, qt('Q4_K_M', 4.9))).toBe(q6k(256000));
  });

  it('rows not divisible by the block fall back like llama-quantize (tiny model: n_embd 64)', () => {
    // Q4_K on 64-wide rows → Q5_0 (22 bytes per 32); the output on 64-wide rows → Q8_0.
    const tensors = [t('blk.0.attn_q.weight', [64, 64]), t('output.weight', [64, 100])];
    expect(estimateQuantBytes(tensors, qt('Q4_K_M', 4.9))).toBe(((64 * 64) / 32) * 22 + q8(6400));
    // IQ2_XXS → IQ4_NL (18 bytes per 32)
    expect(estimateQuantBytes([t('blk.0.attn_q.weight', [64, 64])], qt('IQ2_XXS', 2.06, 'i'))).toBe(
      ((64 * 64) / 32) * 18,
    );
  });

  it('rows that no block divides stay F16', () => {
    expect(withFallback(12, 48)).toBe(1); // Q4_K → Q5_0 needs 32 | 48: no → F16
    expect(estimateQuantBytes([t('blk.0.attn_q.weight', [48, 48])], qt('Q4_K_M', 4.9))).toBe(48 * 48 * 2);
  });

  it('float targets convert every matrix (F16 → F32 doubles them, 1-D tensors stay)', () => {
    expect(estimateQuantBytes([norm, t('blk.0.attn_q.weight', [256, 256])], qt('F32', 32, 'float'))).toBe(
      256 * 4 + 256 * 256 * 4,
    );
  });

  it('adds the header bytes', () => {
    expect(estimateQuantBytes([norm], qt('Q8_0', 8.5, 'legacy'), 5000)).toBe(5000 + 1024);
  });

  it('unknown: no bits per weight, or a source tensor of a type this app does not know', () => {
    expect(estimateQuantBytes([norm], qt('MXFP4_MOE', null, 'other'))).toBeNull();
    const odd: GgufTensorInfo = { name: 'blk.0.norm.weight', dims: [64], type: 99, offset: 0, bytes: null };
    expect(estimateQuantBytes([odd], qt('Q8_0', 8.5, 'legacy'))).toBeNull();
    expect(estimateQuantBytes([t('blk.0.attn_q.weight', [256, 256])], qt('Q9_NEW', 3, 'other'))).toBeNull();
  });
});

describe('isHighPrecision', () => {
  it.each([
    ['F32', true],
    ['F16', true],
    ['BF16', true],
    ['Q8_0', true],
    ['q8_0', true],
    ['Q6_K', false],
    ['Q4_K_M', false],
    [null, false],
  ] as const)('%s → %s', (ft, want) => expect(isHighPrecision(ft)).toBe(want));
});
