import { describe, expect, it } from 'vitest';
import type { LibraryModel } from '../../shared/models';
import type { Provenance } from '../../shared/provenance';
import { bestReference, familyReference, precisionRank, siblingsOf } from './siblings';

const P = 494_032_768;

const model = (name: string, quant: string | null, o: Partial<LibraryModel> = {}): LibraryModel => ({
  id: `${name}.gguf`,
  path: `/models/${name}.gguf`,
  name,
  architecture: 'qwen2',
  quantization: quant,
  sizeBytes: 1000,
  contextLength: 4096,
  parameterCount: P,
  splitCount: 1,
  source: 'models-folder',
  repo: null,
  sha256: null,
  catalogId: null,
  addedAt: 1,
  error: null,
  provenance: null,
  ...o,
});

const madeFrom = (source: LibraryModel, type: string, o: Partial<Provenance> = {}): Provenance => ({
  kind: 'quantized',
  sourcePath: source.path,
  sourceName: source.name,
  sourceSha256: source.sha256,
  sourceType: source.quantization,
  type,
  imatrix: null,
  allowRequantize: false,
  llamaBuild: 'b1',
  createdAt: 2,
  ...o,
});

const names = (ms: LibraryModel[]) => ms.map((m) => m.name);

describe('siblingsOf', () => {
  const f16 = model('f16', 'F16');
  const q8 = model('q8', 'Q8_0');
  const q4 = model('q4', 'Q4_K_M');

  it.each<[string, LibraryModel, LibraryModel[], string[]]>([
    ['imported files: the shapes decide', q4, [f16, q8, q4], ['f16', 'q8']],
    ['never the target itself', f16, [f16], []],
    ['another architecture', q4, [model('llama', 'F16', { architecture: 'llama' })], []],
    ['another parameter count', q4, [model('big', 'F16', { parameterCount: P * 2 })], []],
    ['a file with an error', q4, [model('gone', 'F16', { error: { code: 'MODEL_NOT_FOUND', message: 'gone' } })], []],
    ['unknown parameter count on the other side', q4, [model('x', 'F16', { parameterCount: null })], []],
    [
      'a copy of the same file (same sha256)',
      model('a', 'Q4_K_M', { sha256: 'AB' }),
      [model('b', 'Q4_K_M', { sha256: 'ab' })],
      [],
    ],
    [
      'same catalog entry',
      model('a', 'Q4_K_M', { catalogId: 'qwen' }),
      [model('b', 'Q8_0', { catalogId: 'qwen' }), model('c', 'Q8_0', { catalogId: 'other' })],
      ['b'],
    ],
    [
      'same repo (case-insensitive), another repo is another model',
      model('a', 'Q4_K_M', { repo: 'Org/M-GGUF' }),
      [model('b', 'Q8_0', { repo: 'org/m-gguf' }), model('c', 'Q8_0', { repo: 'org/m-instruct-GGUF' })],
      ['b'],
    ],
    ['one side without a repo: the shapes decide', model('a', 'Q4_K_M', { repo: 'org/m' }), [model('b', 'F16')], ['b']],
  ])('%s', (_why, target, all, expected) => {
    expect(names(siblingsOf(target, all))).toEqual(expected);
  });

  it('a target without architecture or parameter count has no siblings', () => {
    expect(siblingsOf(model('a', 'Q4_K_M', { architecture: null }), [f16])).toEqual([]);
    expect(siblingsOf(model('a', 'Q4_K_M', { parameterCount: null }), [f16])).toEqual([]);
  });

  it('follows the provenance chain, which also carries the source catalog entry', () => {
    const src = model('src', 'F16', { catalogId: 'qwen', sha256: 's1' });
    const made = model('made', 'Q4_K_M', { provenance: madeFrom(src, 'Q4_K_M') });
    // made from `made` (a requantize): two steps from the source
    const twice = model('twice', 'Q2_K', { provenance: madeFrom(made, 'Q2_K') });
    const sameCatalog = model('dl', 'Q8_0', { catalogId: 'qwen' });
    const otherCatalog = model('other', 'Q8_0', { catalogId: 'llama-tune' });
    const all = [src, made, twice, sameCatalog, otherCatalog];
    expect(names(siblingsOf(twice, all))).toEqual(['src', 'made', 'dl']);
    expect(names(siblingsOf(src, all))).toEqual(['made', 'twice', 'dl']);
  });

  it('links by the source sha256 when the source file moved', () => {
    const src = model('src', 'F16', { repo: 'org/a', sha256: 'feed' });
    const made = model('made', 'Q4_K_M', {
      repo: 'org/b',
      provenance: madeFrom(src, 'Q4_K_M', { sourcePath: '/old/place/src.gguf' }),
    });
    expect(names(siblingsOf(made, [src, made]))).toEqual(['src']);
  });

  it('two quants made from the same (deleted) source are siblings despite different repos recorded', () => {
    const gone = model('gone', 'F16');
    const a = model('a', 'Q4_K_M', { repo: 'x/a', provenance: madeFrom(gone, 'Q4_K_M') });
    const b = model('b', 'Q5_K_M', { repo: 'x/b', provenance: madeFrom(gone, 'Q5_K_M') });
    expect(names(siblingsOf(a, [a, b]))).toEqual(['b']);
  });
});

describe('bestReference', () => {
  it.each<[string, string | null, (string | null)[], string | null]>([
    ['Q4_K_M: F16 beats Q8_0', 'Q4_K_M', ['Q8_0', 'F16'], 'F16'],
    ['F32 beats BF16 and F16', 'Q4_K_M', ['F16', 'BF16', 'F32'], 'F32'],
    ['BF16 before F16 at the same rank', 'Q4_K_M', ['F16', 'BF16'], 'BF16'],
    ['only Q8_0', 'IQ2_XXS', ['Q8_0', 'Q4_K_M'], 'Q8_0'],
    ['Q8_0 target: F16 is more precise', 'Q8_0', ['Q8_0', 'F16'], 'F16'],
    ['F16 target: BF16 is not more precise', 'F16', ['BF16', 'Q8_0'], null],
    ['F16 target: F32 is', 'F16', ['F32'], 'F32'],
    ['F32 target: none', 'F32', ['F16', 'Q8_0'], null],
    ['low-bit siblings only', 'Q4_K_M', ['Q5_K_M', 'Q6_K'], null],
    ['unknown target type: any high-precision sibling', null, ['Q8_0'], 'Q8_0'],
    ['unknown sibling types are no reference', 'Q4_K_M', [null], null],
    ['lower case labels', 'q4_k_m', ['f16'], 'f16'],
  ])('%s', (_why, own, others, expected) => {
    const target = model('t', own);
    const sibs = others.map((q, i) => model(`s${i}`, q));
    expect(bestReference(target, sibs)?.quantization ?? null).toBe(expected);
  });

  it('the smaller file among equals, never one with an error', () => {
    const t = model('t', 'Q4_K_M');
    const big = model('big', 'F16', { sizeBytes: 2000 });
    const small = model('small', 'F16', { sizeBytes: 1500 });
    const broken = model('broken', 'F32', { error: { code: 'MODEL_NOT_FOUND', message: 'gone' } });
    expect(bestReference(t, [big, small, broken])?.name).toBe('small');
  });

  it('ranks', () => {
    expect([null, 'Q4_K_M', 'Q8_0', 'F16', 'BF16', 'F32'].map(precisionRank)).toEqual([0, 0, 1, 2, 2, 3]);
  });
});

describe('familyReference', () => {
  it.each<[(string | null)[], string | null]>([
    [['Q4_K_M', 'F16', 'Q8_0'], 'F16'],
    [['Q8_0'], 'Q8_0'],
    [['Q4_K_M', null], null],
    [[], null],
  ])('%j → %s', (quants, expected) => {
    const family = quants.map((q, i) => model(`m${i}`, q));
    expect(familyReference(family)?.quantization ?? null).toBe(expected);
  });
});
