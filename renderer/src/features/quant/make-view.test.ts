import { describe, expect, it } from 'vitest';
import type { QuantOption, QuantPlan } from '@shared/quant';
import { makeEn } from '../../i18n/quant/make.en';
import {
  blockedBy,
  buildRequest,
  defaultText,
  diskVerdict,
  imatrixTypes,
  initialForm,
  isDescribed,
  isListedType,
  isLowBitSource,
  sizeTotal,
  sortOptions,
  startProblems,
  toggleType,
  type MakeForm,
} from './make-view';

const GB = 1e9;
const opt = (id: string, o: Partial<QuantOption> = {}): QuantOption => ({
  id,
  ftype: 1,
  toolNote: '',
  bitsPerWeight: 4.5,
  needsImatrix: false,
  family: 'k',
  expectedBytes: 4 * GB,
  fit: 'gpu',
  fitReason: null,
  warnings: [],
  ...o,
});

const plan = (types: QuantOption[], o: Partial<QuantPlan> = {}): QuantPlan => ({
  source: { path: '/m/a-f16.gguf', name: 'a', fileType: 'F16', sizeBytes: 14 * GB, splitCount: 1, highPrecision: true },
  types,
  modelsDir: '/m',
  freeDiskBytes: 100 * GB,
  imatrixFiles: [],
  texts: [
    { id: 'en', title: 'E', source: 's', license: 'l', bytes: 1, sha256: 'x' },
    { id: 'zh-CN', title: 'Z', source: 's', license: 'l', bytes: 1, sha256: 'y' },
  ],
  llamaBuild: 'b1',
  ...o,
});

const Q4 = opt('Q4_K_M');
const IQ2 = opt('IQ2_XXS', { bitsPerWeight: 2.06, needsImatrix: true, family: 'i', expectedBytes: 2 * GB });
const F16 = opt('F16', { family: 'float', bitsPerWeight: 16, warnings: ['same-type', 'not-smaller'] });
const form = (f: Partial<MakeForm> = {}): MakeForm => ({ ...initialForm(plan([]), 'en'), ...f });

describe('which types are listed and how', () => {
  it('drops the tool aliases and COPY, sorts biggest first with unknown sizes last', () => {
    const types = [
      opt('Q4_K', { toolNote: 'alias for Q4_K_M' }),
      opt('COPY', { toolNote: 'only copy tensors, no quantizing', bitsPerWeight: null }),
      opt('X_NEW', { bitsPerWeight: null }),
      IQ2,
      opt('Q8_0', { bitsPerWeight: 8.5 }),
      Q4,
    ];
    expect(sortOptions(types).map((t) => t.id)).toEqual(['Q8_0', 'Q4_K_M', 'IQ2_XXS', 'X_NEW']);
    expect(isListedType({ id: 'Q5_K', toolNote: ' alias for Q5_K_M' })).toBe(false);
  });

  it('every common type has its own description, others fall back to family + bits', () => {
    for (const id of [
      'Q8_0',
      'Q6_K',
      'Q5_K_M',
      'Q5_K_S',
      'Q4_K_M',
      'Q4_K_S',
      'Q4_0',
      'IQ4_XS',
      'Q3_K_M',
      'Q3_K_S',
      'IQ3_XXS',
      'Q2_K',
      'IQ2_XXS',
      'IQ2_XS',
      'IQ1_S',
      'IQ1_M',
      'TQ1_0',
      'TQ2_0',
      'F16',
      'BF16',
    ])
      expect(isDescribed(id), id).toBe(true);
    expect(isDescribed('Q9_FUTURE')).toBe(false);
    expect(Object.keys(makeEn.family).sort()).toEqual(['float', 'i', 'k', 'legacy', 'other', 'ternary']);
  });
});

describe('warnings: what they disable', () => {
  it.each([
    [[], false, null],
    [['same-type'], true, 'same-type'],
    [['not-smaller'], false, null],
    [['needs-imatrix'], false, null],
    [['requantize'], false, 'requantize'],
    [['requantize'], true, null],
    [['requantize', 'same-type'], true, 'same-type'],
  ] as const)('%j with allowRequantize=%s blocks with %s', (warnings, allow, blocked) => {
    expect(blockedBy({ warnings: [...warnings] }, allow)).toBe(blocked);
  });

  it('a low-bit source is recognised by its flag or by requantize warnings', () => {
    expect(isLowBitSource(plan([Q4]))).toBe(false);
    const p = plan([opt('Q3_K_M', { warnings: ['requantize'] })]);
    expect(isLowBitSource(p)).toBe(true);
    expect(isLowBitSource({ ...p, types: [], source: { ...p.source, highPrecision: false } })).toBe(true);
  });

  it('requantize types only start once "requantize anyway" is ticked, and then say so in the request', () => {
    const q3 = opt('Q3_K_M', { warnings: ['requantize'] });
    const p = plan([q3], { source: { ...plan([]).source, fileType: 'Q4_K_M', highPrecision: false } });
    const f = toggleType(form(), q3, true);
    expect(startProblems(p, f)).toEqual(['nothing-selected']);
    expect(buildRequest(p, f)).toBeNull();
    expect(buildRequest(p, { ...f, allowRequantize: true })).toEqual({
      modelPath: '/m/a-f16.gguf',
      types: ['Q3_K_M'],
      imatrix: { mode: 'none' },
      allowRequantize: true,
    });
  });

  it('the source type itself cannot be started even if it got into the selection', () => {
    const p = plan([F16, Q4]);
    expect(buildRequest(p, form({ selected: ['F16', 'Q4_K_M'] }))?.types).toEqual(['Q4_K_M']);
  });
});

describe('importance matrix', () => {
  it('ticking a type that needs one switches "none" to "compute", but never overrides a chosen file', () => {
    expect(toggleType(form(), IQ2, true).imatrix.mode).toBe('compute');
    expect(toggleType(form(), Q4, true).imatrix.mode).toBe('none');
    const file = form({ imatrix: { mode: 'file', text: 'en', path: '/x/im.gguf' } });
    expect(toggleType(file, IQ2, true).imatrix).toEqual(file.imatrix);
    expect(toggleType(toggleType(form(), Q4, true), Q4, false).selected).toEqual([]);
  });

  it('"none" with a type that needs one is a start problem that names the type', () => {
    const p = plan([Q4, IQ2]);
    const f = form({ selected: ['Q4_K_M', 'IQ2_XXS'] });
    expect(startProblems(p, f)).toEqual(['needs-imatrix']);
    expect(imatrixTypes(p, f)).toEqual(['IQ2_XXS']);
    expect(buildRequest(p, { ...f, imatrix: { ...f.imatrix, mode: 'compute', text: 'zh-CN' } })?.imatrix).toEqual({
      mode: 'compute',
      text: 'zh-CN',
    });
  });

  it('a file choice needs an absolute path (trimmed in the request)', () => {
    const p = plan([Q4]);
    const f = (path: string) => form({ selected: ['Q4_K_M'], imatrix: { mode: 'file', text: 'en', path } });
    expect(startProblems(p, f(''))).toEqual(['imatrix-file']);
    expect(startProblems(p, f('relative/im.dat'))).toEqual(['imatrix-file']);
    expect(buildRequest(p, f(' /data/im.dat '))?.imatrix).toEqual({ mode: 'file', path: '/data/im.dat' });
  });

  it('preselects the calibration text in the UI language when bundled', () => {
    const texts = plan([]).texts;
    expect(defaultText(texts, 'zh-CN')).toBe('zh-CN');
    expect(defaultText(texts, 'en-US')).toBe('en');
    expect(defaultText([texts[1]!], 'en')).toBe('zh-CN');
  });
});

describe('disk space', () => {
  it('totals known sizes and counts unknown ones', () => {
    expect(sizeTotal([Q4, IQ2, opt('X', { expectedBytes: null })])).toEqual({ bytes: 6 * GB, unknown: 1 });
  });
  it.each([
    [5, 100, 'ok'],
    [95, 100, 'tight'],
    [101, 100, 'short'],
    [5, null, 'unknown'],
  ] as const)('%s GB needed, %s GB free: %s', (need, free, verdict) => {
    expect(diskVerdict(need * GB, free == null ? null : free * GB)).toBe(verdict);
  });
  it('not enough space stops Start; unknown free space does not', () => {
    const f = form({ selected: ['Q4_K_M', 'IQ2_XXS'], imatrix: { mode: 'compute', text: 'en', path: '' } });
    expect(startProblems(plan([Q4, IQ2], { freeDiskBytes: 5 * GB }), f)).toEqual(['disk']);
    expect(startProblems(plan([Q4, IQ2], { freeDiskBytes: null }), f)).toEqual([]);
  });
});
