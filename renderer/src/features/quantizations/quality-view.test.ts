import { describe, expect, it } from 'vitest';
import type { QualityResult, QuantComparison } from '@shared/quant';
import { cachedFor, durationText, qualityRun, qualityWords } from './quality-view';
import { quantT } from './test-text';

const result = (o: Partial<QualityResult> = {}): QualityResult => ({
  key: 'k',
  modelPath: '/m/q4.gguf',
  modelSha256: 'a',
  modelType: 'Q4_K_M',
  text: 'en',
  textSha256: 't',
  contextSize: 512,
  chunks: 20,
  ppl: 7.5234,
  pplStdErr: 0.1234,
  kld: null,
  measuredAt: 1000,
  seconds: 95,
  llamaBuild: 'b7000',
  ...o,
});
const kld = (o: Partial<NonNullable<QualityResult['kld']>> = {}): NonNullable<QualityResult['kld']> => ({
  basePath: '/m/q8.gguf',
  baseSha256: 'b',
  baseType: 'Q8_0',
  basePpl: 7.38,
  meanKld: 0.01234,
  meanKldStdErr: 0.00041,
  sameTopPct: 97.44,
  pplRatio: 1.0194,
  ...o,
});
const comparison = (reference: QuantComparison['reference']): QuantComparison => ({
  modelPath: '/m/q4.gguf',
  name: 'm',
  text: 'en',
  reference,
  rows: [],
  recommendation: null,
  catalogId: null,
  repo: null,
});

describe('qualityRun', () => {
  it('KL-divergence only against another, installed, higher-precision file', () => {
    expect(qualityRun('/m/q4.gguf', comparison({ quant: 'Q8_0', path: '/m/q8.gguf' }))).toEqual({
      kind: 'kld',
      reference: 'Q8_0',
      referencePath: '/m/q8.gguf',
    });
    expect(qualityRun('/m/q8.gguf', comparison({ quant: 'Q8_0', path: '/m/q8.gguf' }))).toEqual({
      kind: 'ppl',
      why: 'is-reference',
    });
    expect(qualityRun('/m/q4.gguf', comparison(null))).toEqual({ kind: 'ppl', why: 'no-reference' });
    expect(qualityRun('/m/q4.gguf', undefined)).toEqual({ kind: 'ppl', why: 'unknown' });
  });
});

describe('cachedFor', () => {
  const withKld = result({ key: 'kld', kld: kld(), measuredAt: 5 });
  const otherBase = result({ key: 'other', kld: kld({ basePath: '/m/f16.gguf' }), measuredAt: 9 });
  const pplOld = result({ key: 'ppl-old', measuredAt: 1 });
  const pplNew = result({ key: 'ppl-new', measuredAt: 3 });
  const zh = result({ key: 'zh', text: 'zh-CN', measuredAt: 7 });
  const all = [withKld, otherBase, pplOld, pplNew, zh];

  it('the newest result measured the same way (text, reference) as a start would be', () => {
    const kldRun = qualityRun('/m/q4.gguf', comparison({ quant: 'Q8_0', path: '/m/q8.gguf' }));
    expect(cachedFor(all, 'en', kldRun)?.key).toBe('kld');
    expect(cachedFor(all, 'en', { kind: 'ppl', why: 'no-reference' })?.key).toBe('ppl-new');
    expect(cachedFor(all, 'zh-CN', { kind: 'ppl', why: 'is-reference' })?.key).toBe('zh');
    expect(cachedFor(all, 'zh-CN', kldRun)).toBeNull();
    // Not knowing what would run, no result is claimed to be the answer.
    expect(cachedFor(all, 'en', { kind: 'ppl', why: 'unknown' })).toBeNull();
  });
});

describe('qualityWords', () => {
  it('perplexity alone', () => {
    const w = qualityWords(result(), quantT('en'), 'en');
    expect(w).toEqual({ ppl: 'Perplexity 7.52 ± 0.12', comparison: null, kld: null, ratio: null });
    expect(qualityWords(result({ pplStdErr: null }), quantT('zh-CN'), 'zh-CN').ppl).toBe('困惑度 7.52');
  });

  it('with KL-divergence, in plain words in both languages', () => {
    expect(qualityWords(result({ kld: kld() }), quantT('en'), 'en')).toEqual({
      ppl: 'Perplexity 7.52 ± 0.12',
      comparison: '1.9 % higher perplexity than Q8_0; picks the same top token 97.4 % of the time',
      kld: 'Mean KL-divergence 0.0123 ± 0.0004',
      ratio: 'Perplexity ratio 1.019',
    });
    expect(qualityWords(result({ kld: kld() }), quantT('zh-CN'), 'zh-CN').comparison).toBe(
      '困惑度比 Q8_0 高 1.9%；97.4% 的情况下首选词元相同',
    );
  });

  it('a base without a type is named by its file; a lower perplexity says lower', () => {
    const w = qualityWords(
      result({ kld: kld({ baseType: null, basePath: '/x/base-f16.gguf', pplRatio: 0.99, meanKldStdErr: null }) }),
      quantT('en'),
      'en',
    );
    expect(w.comparison).toBe('1.0 % lower perplexity than base-f16.gguf; picks the same top token 97.4 % of the time');
    expect(w.kld).toBe('Mean KL-divergence 0.0123');
  });
});

describe('durationText', () => {
  it('seconds, then minutes and seconds', () => {
    expect(durationText(42, quantT('en'))).toBe('42 s');
    expect(durationText(125.4, quantT('en'))).toBe('2 min 5 s');
    expect(durationText(125.4, quantT('zh-CN'))).toBe('2 分 5 秒');
    expect(durationText(-3, quantT('en'))).toBe('0 s');
  });
});
