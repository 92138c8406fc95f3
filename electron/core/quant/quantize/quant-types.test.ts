import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  bitsPerWeight,
  isUsefulTarget,
  listQuantTypes,
  parseQuantUsage,
  quantFamily,
  quantTypesFromUsage,
} from './quant-types';

// Recorded from the bundled llama-quantize (linux-x64-cpu, the pinned build): `llama-quantize --help`, stdout.
const USAGE = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'quantize-usage.txt'), 'utf8');

describe('parseQuantUsage on the real usage text', () => {
  const entries = parseQuantUsage(USAGE);
  const byId = new Map(entries.map((e) => [e.id, e]));

  it('reads every listed type with its number and note verbatim', () => {
    expect(entries.length).toBeGreaterThanOrEqual(38);
    expect(byId.get('Q4_K_M')).toEqual({ id: 'Q4_K_M', ftype: 15, note: '4.58G, +0.1754 ppl @ Llama-3-8B' });
    expect(byId.get('Q8_0')).toEqual({ id: 'Q8_0', ftype: 7, note: '7.96G, +0.0026 ppl @ Llama-3-8B' });
    expect(byId.get('IQ2_XXS')).toEqual({ id: 'IQ2_XXS', ftype: 19, note: '2.06 bpw quantization' });
    expect(byId.get('F32')).toEqual({ id: 'F32', ftype: 0, note: '26.00G              @ 7B' });
    expect(byId.get('MXFP4_MOE')?.ftype).toBe(38);
    // COPY is printed without a number.
    expect(byId.get('COPY')).toEqual({ id: 'COPY', ftype: null, note: 'only copy tensors, no quantizing' });
  });

  it('does not take the option list above the type list for types', () => {
    expect(byId.has('--ALLOW-REQUANTIZE')).toBe(false);
    expect(entries.every((e) => /^[A-Z0-9_]+$/.test(e.id))).toBe(true);
  });
});

describe('quantTypesFromUsage', () => {
  const types = quantTypesFromUsage(USAGE);
  const byId = new Map(types.map((t) => [t.id, t]));

  it('drops COPY and the aliases, keeps the rest', () => {
    expect(byId.has('COPY')).toBe(false);
    expect(byId.has('Q4_K')).toBe(false);
    expect(byId.has('Q3_K')).toBe(false);
    expect(byId.has('Q5_K')).toBe(false);
    for (const id of ['Q4_0', 'Q4_K_M', 'Q5_K_S', 'Q6_K', 'Q8_0', 'IQ2_XXS', 'IQ4_XS', 'TQ1_0', 'F16', 'BF16', 'F32'])
      expect(byId.has(id), id).toBe(true);
  });

  it.each([
    // id, family, needsImatrix, bits per weight (source of the figure in the comment)
    ['Q4_K_M', 'k', false, 4.9], // tool note 4.58G @ Llama-3-8B
    ['Q3_K_S', 'k', false, 3.65], // tool note 3.41G
    ['Q2_K_S', 'k', true, 3.17], // Q2_K inside Q2_K_S needs an imatrix
    ['Q6_K', 'k', false, 6.5625], // block: 210 bytes / 256
    ['Q8_0', 'legacy', false, 8.5], // block: 34 bytes / 32
    ['Q4_0', 'legacy', false, 4.5],
    ['IQ2_XXS', 'i', true, 2.06], // tool note "2.06 bpw"
    ['IQ2_M', 'i', true, 2.7],
    ['IQ3_XS', 'i', true, 3.3],
    ['IQ3_XXS', 'i', true, 3.06],
    ['IQ3_S', 'i', false, 3.44],
    ['IQ3_M', 'i', false, 3.66],
    ['IQ4_XS', 'i', false, 4.25],
    ['TQ1_0', 'ternary', false, 1.69],
    ['F16', 'float', false, 16],
    ['BF16', 'float', false, 16],
    ['F32', 'float', false, 32],
  ] as const)('%s: family %s, needsImatrix %s, %s bpw', (id, family, needs, bpw) => {
    const t = byId.get(id)!;
    expect(t.family).toBe(family);
    expect(t.needsImatrix).toBe(needs);
    expect(t.bitsPerWeight).toBeCloseTo(bpw, 2);
  });

  it('gives no figure where there is none (MXFP4_MOE)', () => {
    expect(byId.get('MXFP4_MOE')?.bitsPerWeight).toBeNull();
    expect(byId.get('MXFP4_MOE')?.family).toBe('other');
  });
});

describe('hostile usage text', () => {
  const header = '-----\n allowed quantization types\n-----\n\n';
  it.each([
    ['empty', ''],
    ['garbage', '\u0000\u0001\u00ff garbage ~~~ \n\n::::\n'],
    ['no section header', '   2  or  Q4_0    :  4.34G\n  15  or  Q4_K_M  :  4.58G\n'],
    ['a crash message', 'Segmentation fault (core dumped)\n'],
    ['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1')],
  ])('%s → no types', (_name, text) => {
    expect(quantTypesFromUsage(text)).toEqual([]);
  });

  it('truncated mid-list keeps the complete entries before the cut', () => {
    const cut = USAGE.slice(0, USAGE.indexOf('Q4_K_S'));
    const ids = quantTypesFromUsage(cut).map((t) => t.id);
    expect(ids).toContain('IQ4_XS');
    expect(ids).not.toContain('Q4_K_M');
  });

  it('ignores ids that are too long, over-long lines and duplicates', () => {
    const text =
      header +
      `   2  or  ${'A'.repeat(40)} : nope\n` +
      `   3  or  Q4_1 : ${'x'.repeat(1000)}\n` +
      '   2  or  Q4_0    :  first\n' +
      '   2  or  Q4_0    :  second\n';
    const types = quantTypesFromUsage(text);
    expect(types.map((t) => t.id)).toEqual(['Q4_0']);
    expect(types[0]!.toolNote).toBe('first');
  });

  it('an unknown new type is kept with what can be known about it', () => {
    const types = quantTypesFromUsage(header + '  99  or  Q9_9_NEW :  some future type\n');
    expect(types).toEqual([
      {
        id: 'Q9_9_NEW',
        ftype: 99,
        toolNote: 'some future type',
        bitsPerWeight: null,
        needsImatrix: false,
        family: 'other',
      },
    ]);
  });
});

describe('pieces', () => {
  it.each([
    ['Q4_K_M', 'k'],
    ['Q5_1', 'legacy'],
    ['Q1_0', 'legacy'],
    ['IQ1_S', 'i'],
    ['TQ2_0', 'ternary'],
    ['BF16', 'float'],
    ['NVFP4', 'other'],
  ] as const)('family of %s is %s', (id, family) => expect(quantFamily(id)).toBe(family));

  it('useful targets', () => {
    expect(isUsefulTarget({ id: 'COPY', ftype: null, note: 'only copy tensors' })).toBe(false);
    expect(isUsefulTarget({ id: 'Q4_K', ftype: 15, note: 'alias for Q4_K_M' })).toBe(false);
    expect(isUsefulTarget({ id: 'Q4_K_M', ftype: 15, note: '4.58G' })).toBe(true);
  });

  it('bits per weight: the note, then the block size, then the Llama-3-8B size', () => {
    expect(bitsPerWeight('Q1_0', '1.125 bpw quantization')).toBe(1.125);
    expect(bitsPerWeight('Q1_0', '')).toBe(1.125); // block_q1_0: 18 bytes per 128
    expect(bitsPerWeight('Q2_0', '')).toBe(2.25); // block_q2_0: 18 bytes per 64
    expect(bitsPerWeight('Q5_K_M', '5.33G, +0.0569 ppl @ Llama-3-8B')).toBeCloseTo(5.7, 1);
    expect(bitsPerWeight('Q5_K_M', 'garbage')).toBeNull();
  });
});

describe('listQuantTypes', () => {
  it('a missing binary is QUANT_TOOL_MISSING naming it', async () => {
    const bin = path.join(import.meta.dirname, 'no-such-llama-quantize');
    const e = await listQuantTypes(bin).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('QUANT_TOOL_MISSING');
    expect((e as AppError).params).toEqual({ tool: 'llama-quantize', path: bin });
  });
});
