import { describe, expect, it } from 'vitest';
import type { Provenance } from '@shared/provenance';
import { imatrixPart, shortBuild } from './provenance';
import { isLowBitType } from './quant-buttons';

const im = (i: Provenance['imatrix']) => ({ imatrix: i });

describe('provenance line parts', () => {
  it('the importance matrix: none, computed on a text, or a file by its name', () => {
    expect(imatrixPart(im(null))).toEqual({ kind: 'none' });
    expect(imatrixPart(im({ kind: 'computed', path: '/d/a.imatrix.gguf', sha256: null, text: 'zh-CN' }))).toEqual({
      kind: 'computed',
      text: 'zh-CN',
    });
    expect(imatrixPart(im({ kind: 'file', path: 'C:\\x\\my.dat', sha256: 'ab', text: null }))).toEqual({
      kind: 'file',
      file: 'my.dat',
    });
    // Computed, but the text was not recorded: named by its file rather than a wrong text.
    expect(imatrixPart(im({ kind: 'computed', path: '/d/im.gguf', sha256: null, text: null }))).toEqual({
      kind: 'file',
      file: 'im.gguf',
    });
  });

  it('shortens a full commit hash, leaves build names alone', () => {
    expect(shortBuild('de3ff81aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('de3ff81');
    expect(shortBuild(' b6123 ')).toBe('b6123');
    expect(shortBuild('cpu-de3ff81')).toBe('cpu-de3ff81');
  });
});

describe('which library models warn before "Make a smaller version"', () => {
  it.each([
    ['F16', false],
    ['bf16', false],
    ['Q8_0', false],
    ['F32', false],
    ['Q4_K_M', true],
    ['IQ2_XXS', true],
    [null, false],
  ] as const)('%s: low-bit %s', (q, low) => expect(isLowBitType(q)).toBe(low));
});
