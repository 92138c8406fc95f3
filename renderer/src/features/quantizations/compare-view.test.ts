import { describe, expect, it } from 'vitest';
import type { QualityResult, QuantRecommendation, QuantRow } from '@shared/quant';
import { badgePlan, pickModel, recommendationSentence, rowCells, sortRows } from './compare-view';
import { quantT } from './test-text';

const row = (o: Partial<QuantRow> & Pick<QuantRow, 'quant'>): QuantRow => ({
  bitsPerWeight: null,
  sizeBytes: 1000,
  availability: 'installed',
  libraryId: null,
  path: null,
  download: null,
  makeFrom: null,
  running: false,
  fit: null,
  fitReason: null,
  tgTps: null,
  tgSource: null,
  quality: null,
  pplRatio: null,
  meanKld: null,
  sameTopPct: null,
  provenance: null,
  ...o,
});

const rec = (o: Partial<QuantRecommendation> = {}): QuantRecommendation => ({
  quant: 'Q4_K_M',
  versus: 'Q8_0',
  pplDeltaPct: 2.94,
  speedup: 1.71,
  fit: 'gpu',
  why: 'best-quality-fits-gpu',
  ...o,
});

describe('recommendationSentence', () => {
  const en = quantT('en');
  const zh = quantT('zh-CN');
  it.each<[string, Partial<QuantRecommendation>, string, string]>([
    [
      'all figures (the issue’s example)',
      {},
      'Q4_K_M: 2.9 % higher perplexity than Q8_0, 1.7 × faster, fits fully on your GPU',
      'Q4_K_M：困惑度比 Q8_0 高 2.9%，速度为 1.7 倍，可完全放入你的 GPU',
    ],
    [
      'quality not measured, speed unknown',
      { pplDeltaPct: null, speedup: null, fit: 'partial', why: 'unmeasured' },
      'Q4_K_M: quality not measured yet, fits partly on your GPU',
      'Q4_K_M：尚未测量质量，部分放入你的 GPU',
    ],
    [
      'no reference at all',
      { versus: null, pplDeltaPct: 3, speedup: null, fit: null },
      'Q4_K_M: quality not measured yet',
      'Q4_K_M：尚未测量质量',
    ],
    [
      'the reference itself',
      { quant: 'Q8_0', pplDeltaPct: 0, speedup: 1, fit: 'cpu' },
      'Q8_0: the most precise version you have, runs on the CPU',
      'Q8_0：你已有的最高精度版本，在 CPU 上运行',
    ],
    [
      'lower perplexity, slower',
      { pplDeltaPct: -0.46, speedup: 0.8, fit: 'experts-cpu' },
      'Q4_K_M: 0.5 % lower perplexity than Q8_0, 1.3 × slower, fits on your GPU with the experts in RAM',
      'Q4_K_M：困惑度比 Q8_0 低 0.5%，速度降为 1/1.3，可放入 GPU，专家层留在内存',
    ],
    [
      'the same within rounding, about as fast',
      { pplDeltaPct: 0.01, speedup: 1.02, fit: 'none', why: 'only-fitting' },
      'Q4_K_M: the same perplexity as Q8_0, about as fast, does not fit here',
      'Q4_K_M：困惑度与 Q8_0 相同，速度相当，本机放不下',
    ],
    [
      'hostile figures are left out',
      { pplDeltaPct: Number.NaN, speedup: Number.POSITIVE_INFINITY, fit: 'gpu' },
      'Q4_K_M: quality not measured yet, fits fully on your GPU',
      'Q4_K_M：尚未测量质量，可完全放入你的 GPU',
    ],
  ])('%s', (_name, o, wantEn, wantZh) => {
    expect(recommendationSentence(rec(o), en, 'en')).toBe(wantEn);
    expect(recommendationSentence(rec(o), zh, 'zh-CN')).toBe(wantZh);
  });
});

describe('sortRows', () => {
  it('most precise first, installed before download before make, then by name; input order irrelevant', () => {
    const rows = [
      row({ quant: 'Q4_K_M', bitsPerWeight: 4.89, availability: 'make' }),
      row({ quant: 'Q8_0', bitsPerWeight: 8.5, availability: 'download' }),
      row({ quant: 'F16', bitsPerWeight: 16 }),
      row({ quant: 'Q4_K_M', bitsPerWeight: 4.89, availability: 'installed' }),
      row({ quant: 'Q4_K_S', bitsPerWeight: 4.89, availability: 'installed' }),
      row({ quant: 'Q8_0', bitsPerWeight: 8.5, availability: 'installed' }),
      // Unknown bits: after every known one, by size.
      row({ quant: 'X_SMALL', sizeBytes: 10 }),
      row({ quant: 'X_BIG', sizeBytes: 5000 }),
    ];
    const want = [
      'F16/installed',
      'Q8_0/installed',
      'Q8_0/download',
      'Q4_K_M/installed',
      'Q4_K_S/installed',
      'Q4_K_M/make',
      'X_BIG/installed',
      'X_SMALL/installed',
    ];
    const key = (r: QuantRow) => `${r.quant}/${r.availability}`;
    expect(sortRows(rows).map(key)).toEqual(want);
    expect(sortRows([...rows].reverse()).map(key)).toEqual(want);
  });
});

describe('rowCells', () => {
  const quality = (o: Partial<QualityResult>): QualityResult => ({
    key: 'k',
    modelPath: '/m/a.gguf',
    modelSha256: 'a',
    modelType: 'Q4_K_M',
    text: 'en',
    textSha256: 't',
    contextSize: 512,
    chunks: 20,
    ppl: 7.5234,
    pplStdErr: 0.1234,
    kld: null,
    measuredAt: 0,
    seconds: 10,
    llamaBuild: 'b1',
    ...o,
  });
  const ref = { quant: 'Q8_0', path: '/m/q8.gguf' };

  it('formats the measured figures and marks reference and running rows', () => {
    const c = rowCells(
      row({
        quant: 'Q8_0',
        path: '/m/q8.gguf',
        sizeBytes: 8.5 * 2 ** 30,
        running: true,
        tgTps: 23.46,
        tgSource: 'measured',
        quality: quality({}),
        meanKld: 0.00123,
        sameTopPct: 97.44,
      }),
      ref,
      'en',
    );
    expect(c).toMatchObject({
      tps: { n: '23', source: 'measured' },
      ppl: { value: '7.52', err: '0.12' },
      kld: '0.00123',
      sameTop: '97.4',
      reference: true,
      running: true,
    });
    expect(c.size).toBe('8.50 GB');
  });

  it('says nothing it does not know; a download row is never the reference', () => {
    const c = rowCells(
      row({ quant: 'Q8_0', path: '/m/q8.gguf', availability: 'download', sizeBytes: 0, tgTps: Number.NaN }),
      ref,
      'en',
    );
    expect(c).toEqual({ size: null, tps: null, ppl: null, kld: null, sameTop: null, reference: false, running: false });
    expect(rowCells(row({ quant: 'Q4', tgTps: 3.14 }), null, 'en').tps).toEqual({ n: '3.1', source: 'estimate' });
    expect(rowCells(row({ quant: 'Q4', quality: quality({ pplStdErr: null, ppl: 123.45 }) }), null, 'en').ppl).toEqual({
      value: '123.5',
      err: null,
    });
  });
});

describe('pickModel', () => {
  const lib = [
    { path: '/m/b.gguf', name: 'beta' },
    { path: '/m/a.gguf', name: 'alpha' },
  ];
  it.each<[string | null, string | null, string | null]>([
    ['/m/b.gguf', '/m/a.gguf', '/m/b.gguf'],
    [null, '/m/b.gguf', '/m/b.gguf'],
    ['/elsewhere/x.gguf', null, '/m/a.gguf'],
    [null, '/not/in/library.gguf', '/m/a.gguf'],
  ])('asked %s, running %s → %s', (asked, running, want) => {
    expect(pickModel(asked, running, lib)).toBe(want);
  });
  it('an empty library has nothing to compare', () => {
    expect(pickModel('/m/a.gguf', '/m/a.gguf', [])).toBeNull();
  });
});

describe('badgePlan', () => {
  it('partial offload carries the layer counts FitBadge shows; no fit, no badge', () => {
    const p = badgePlan(
      row({
        quant: 'Q4_K_M',
        fit: 'partial',
        fitReason: { code: 'FIT_PARTIAL', params: { gpuLayers: 20, layers: 32, vram: '8 GB', ram: '2 GB' } },
      }),
    );
    expect(p).toMatchObject({ mode: 'partial', gpuLayers: 20, blockCount: 32 });
    expect(badgePlan(row({ quant: 'Q4_K_M', fit: 'gpu', fitReason: null }))).toBeNull();
    expect(badgePlan(row({ quant: 'Q4_K_M', fit: null }))).toBeNull();
  });
});
