import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { QuantType } from '../../shared/quant';
import {
  baseNameOf,
  checkSpace,
  checkTypes,
  imatrixFileName,
  outputDirOf,
  outputNameOf,
  parseImatrixFileName,
  leftoverTemps,
  tempPathOf,
  warningsFor,
} from './quant-rules';

const qt = (id: string, needsImatrix = false): QuantType => ({
  id,
  ftype: null,
  toolNote: '',
  bitsPerWeight: null,
  needsImatrix,
  family: 'k',
});
const KNOWN = [qt('Q8_0'), qt('Q4_K_M'), qt('IQ2_XS', true), qt('F16')];

describe('output naming', () => {
  it.each([
    ['/m/small-s1.gguf', 'Q8_0', 'small-s1-Q8_0.gguf'],
    ['/m/Qwen3-8B-F16.gguf', 'Q4_K_M', 'Qwen3-8B-Q4_K_M.gguf'],
    ['/m/llama.Q8_0.gguf', 'Q4_K_M', 'llama-Q4_K_M.gguf'],
    ['/m/model-bf16-00001-of-00003.gguf', 'Q6_K', 'model-Q6_K.gguf'],
    ['/m/x-q4_k_m.GGUF', 'IQ2_XS', 'x-IQ2_XS.gguf'],
    ['/m/F16.gguf', 'Q8_0', 'F16-Q8_0.gguf'],
    ['/m/Qwen2.5-7B-Instruct-Q5_K_S.gguf', 'Q4_0', 'Qwen2.5-7B-Instruct-Q4_0.gguf'],
  ])('%s + %s → %s', (src, type, want) => {
    expect(outputNameOf(src, type)).toBe(want);
    expect(baseNameOf(src)).toBe(want.replace(`-${type}.gguf`, ''));
  });

  it.each([
    ['/models/a/b.gguf', '/models', '/models/a'],
    ['/models/b.gguf', '/models', '/models'],
    ['/elsewhere/b.gguf', '/models', '/models'],
    ['/models-other/b.gguf', '/models', '/models'],
  ])('%s in %s goes to %s', (src, root, want) => {
    expect(outputDirOf(src, root)).toBe(path.resolve(want));
  });

  it('the temp file is hidden beside the result', () => {
    expect(tempPathOf('/m/a-Q8_0.gguf')).toBe(path.join('/m', '.a-Q8_0.gguf.quantizing'));
  });
});

describe('warningsFor', () => {
  it.each([
    ['F16 → Q4_K_M', 'F16', 'Q4_K_M', false, 40, []],
    ['Q4_K_M → Q2_K', 'Q4_K_M', 'Q2_K', false, 40, ['requantize']],
    ['IQ2', 'F16', 'IQ2_XS', true, 10, ['needs-imatrix']],
    ['not smaller', 'Q8_0', 'F16', false, 200, ['not-smaller']],
    ['same type', 'Q8_0', 'Q8_0', false, 100, ['not-smaller', 'same-type']],
    ['unknown source type', null, 'Q4_K_M', false, null, []],
  ] as const)('%s', (_, from, id, needs, expected, want) => {
    expect(warningsFor(qt(id, needs), { fileType: from, sizeBytes: 100 }, expected)).toEqual(want);
  });
});

describe('checkSpace', () => {
  const GiB = 1024 ** 3;
  it('passes when all results fit; nothing known about free space passes', () => {
    expect(() => checkSpace('/m', 10 * GiB, [{ type: 'Q8_0', expectedBytes: 2 * GiB }], 4 * GiB)).not.toThrow();
    expect(() => checkSpace('/m', null, [{ type: 'Q8_0', expectedBytes: 99 * GiB }], 4 * GiB)).not.toThrow();
  });
  it('names the first type that no longer fits, with the sizes formatted', () => {
    try {
      checkSpace(
        '/m',
        5 * GiB,
        [
          { type: 'Q8_0', expectedBytes: 2 * GiB },
          { type: 'Q6_K', expectedBytes: 2 * GiB },
          { type: 'Q4_K_M', expectedBytes: 1 * GiB },
        ],
        4 * GiB,
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'QUANT_NO_SPACE', params: { dir: '/m', type: 'Q4_K_M' } });
      expect(String((e as { params: { needed: string } }).params.needed)).toMatch(/GB|GiB/);
    }
  });
  it('an unknown estimate counts as the source size', () => {
    expect(() => checkSpace('/m', 3 * GiB, [{ type: 'X', expectedBytes: null }], 4 * GiB)).toThrow(/X/);
  });
});

describe('checkTypes', () => {
  it('answers the known types, deduplicated, case-insensitive', () => {
    expect(checkTypes(['q8_0', 'Q8_0', 'Q4_K_M'], KNOWN, { fileType: 'F16' }, 'none', false).map((t) => t.id)).toEqual([
      'Q8_0',
      'Q4_K_M',
    ]);
  });
  it.each([
    ['unknown type', ['Q9_Z'], 'F16', 'none', false, 'QUANT_UNKNOWN_TYPE'],
    ['IQ2 without imatrix', ['IQ2_XS'], 'F16', 'none', false, 'QUANT_NEEDS_IMATRIX'],
    ['low-bit source', ['Q4_K_M'], 'Q5_K_M', 'none', false, 'QUANT_REQUANTIZE'],
  ] as const)('%s', (_, types, from, imx, allow, code) => {
    expect(() => checkTypes([...types], KNOWN, { fileType: from }, imx, allow)).toThrow(
      expect.objectContaining({ code }),
    );
  });
  it('names the known types and the requantize pair', () => {
    expect(() => checkTypes(['Q9_Z'], KNOWN, { fileType: 'F16' }, 'none', false)).toThrow(
      expect.objectContaining({ params: { type: 'Q9_Z', known: 'Q8_0, Q4_K_M, IQ2_XS, F16' } }),
    );
    expect(() => checkTypes(['Q4_K_M'], KNOWN, { fileType: 'Q5_K_M' }, 'none', false)).toThrow(
      expect.objectContaining({ params: { from: 'Q5_K_M', type: 'Q4_K_M' } }),
    );
  });
  it('passes with an imatrix or allowRequantize', () => {
    expect(checkTypes(['IQ2_XS'], KNOWN, { fileType: 'F16' }, 'compute', false)).toHaveLength(1);
    expect(checkTypes(['Q4_K_M'], KNOWN, { fileType: 'Q5_K_M' }, 'none', true)).toHaveLength(1);
  });
});

it('imatrix file names round-trip', () => {
  const sha = 'ab'.repeat(32);
  expect(parseImatrixFileName(imatrixFileName(sha, 'zh-CN'))).toEqual({ shaPrefix: sha.slice(0, 32), text: 'zh-CN' });
  expect(parseImatrixFileName('other.gguf')).toBeNull();
});

describe('leftoverTemps', () => {
  const q = (state: 'interrupted' | 'failed' | 'running', outputPath: string | null, kind = 'quantize' as const) => ({
    kind,
    state,
    outputPath,
  });
  it.each([
    [
      'an interrupted quantize job: its temp file',
      [q('interrupted', '/m/a-Q4_K_M.gguf')],
      [],
      ['/m/.a-Q4_K_M.gguf.quantizing'],
    ],
    [
      'in a subfolder of the models folder',
      [q('interrupted', '/m/org/a-Q8_0.gguf')],
      [],
      ['/m/org/.a-Q8_0.gguf.quantizing'],
    ],
    ['failed or running jobs: nothing', [q('failed', '/m/a.gguf'), q('running', '/m/b.gguf')], [], []],
    ['an output outside the models folder (a tampered work.json): nothing', [q('interrupted', '/etc/a.gguf')], [], []],
    ['climbing out: nothing', [q('interrupted', '/m/../etc/a.gguf')], [], []],
    ['not a .gguf output: nothing', [q('interrupted', '/m/a.txt')], [], []],
    ['no output: nothing', [q('interrupted', null)], [], []],
    [
      'imatrix partials only',
      [],
      [
        '.abc-en.imatrix.gguf.0a1b2c3d.partial.gguf',
        'abc-en.imatrix.gguf',
        '.x.partial.gguf',
        '.y.0A1B2C3D.partial.gguf',
      ],
      ['/d/imatrix/.abc-en.imatrix.gguf.0a1b2c3d.partial.gguf'],
    ],
  ])('%s', (_, jobs, names, want) => {
    expect(leftoverTemps(jobs, '/m', '/d/imatrix', names)).toEqual(want.map((p) => path.resolve(p)));
  });
});
