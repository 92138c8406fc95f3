import { describe, expect, it } from 'vitest';
import type { FitMode } from '../../shared/models';
import type { QualityResult } from '../../shared/quant';
import { buildComparison, pickQuality, versusReference, type RefIds, type RowInput } from './compare';

const REF = '/m/x-Q8_0.gguf';

const result = (o: Partial<QualityResult> & { path: string; sha: string }): QualityResult => ({
  key: `${o.sha}-${o.measuredAt ?? 1}`,
  modelPath: o.path,
  modelSha256: o.sha,
  modelType: null,
  text: 'en',
  textSha256: 't-en',
  contextSize: 512,
  chunks: 64,
  ppl: 10,
  pplStdErr: 0.1,
  kld: null,
  measuredAt: 1,
  seconds: 5,
  llamaBuild: 'b1',
  ...o,
});

const kldVs = (basePath: string, baseSha: string, pplRatio: number, meanKld: number, sameTopPct = 90) => ({
  basePath,
  baseSha256: baseSha,
  baseType: 'Q8_0',
  basePpl: 10,
  meanKld,
  meanKldStdErr: null,
  sameTopPct,
  pplRatio,
});

const row = (
  quant: string,
  o: Partial<RowInput> & { fit?: FitMode | null; est?: number | null; bpw?: number | null } = {},
): RowInput => {
  const { fit = 'gpu', est = null, bpw = null, ...rest } = o;
  return {
    quant,
    bitsPerWeight: bpw,
    sizeBytes: 1000,
    availability: 'installed',
    libraryId: quant,
    path: `/m/x-${quant}.gguf`,
    download: null,
    makeFrom: null,
    provenance: null,
    plan: fit === null ? null : { mode: fit, reason: { code: 'FIT_ALL_GPU', params: {} }, tokensPerSecond: est },
    measuredTps: null,
    results: [],
    ...rest,
  };
};

const compare = (rows: RowInput[], referencePath: string | null = REF, runningPath: string | null = null) =>
  buildComparison({
    modelPath: '/m/x-Q4_K_M.gguf',
    name: 'x',
    text: 'en',
    referencePath,
    runningPath,
    catalogId: null,
    repo: null,
    rows,
  });

const refIds: RefIds = { path: REF, sha256s: new Set(['s8']) };

describe('pickQuality', () => {
  const plainNew = result({ path: 'q4', sha: 's4', measuredAt: 9 });
  const kldOld = result({ path: 'q4', sha: 's4', measuredAt: 2, kld: kldVs(REF, 's8', 1.03, 0.02) });
  const kldOther = result({ path: 'q4', sha: 's4', measuredAt: 5, kld: kldVs('/m/other.gguf', 'so', 1.01, 0.01) });
  const zh = result({ path: 'q4', sha: 's4', measuredAt: 20, text: 'zh-CN', kld: kldVs(REF, 's8', 1.1, 0.1) });

  it.each<[string, QualityResult[], RefIds | null, QualityResult | null]>([
    [
      'a KL-divergence run against the reference beats a newer plain one',
      [plainNew, kldOld, kldOther, zh],
      refIds,
      kldOld,
    ],
    ['another base is not the reference: the newest', [plainNew, kldOther], refIds, plainNew],
    ['no reference: the newest on the text', [kldOld, plainNew, zh], null, plainNew],
    ['only another text: nothing', [zh], refIds, null],
  ])('%s', (_why, results, ref, expected) => {
    expect(pickQuality(results, 'en', ref)).toBe(expected);
  });

  it('recognises the base by its sha256 after the reference moved', () => {
    const moved = result({ path: 'q4', sha: 's4', kld: kldVs('/old/q8.gguf', 'S8', 1, 0) });
    expect(pickQuality([plainNew, moved], 'en', refIds)).toBe(moved);
  });
});

describe('versusReference', () => {
  const refPlain = result({ path: REF, sha: 's8', ppl: 10, measuredAt: 3 });
  it('from the KL-divergence run against the reference', () => {
    const q = result({ path: 'q4', sha: 's4', ppl: 10.29, kld: kldVs(REF, 's8', 1.029, 0.031, 93.5) });
    expect(versusReference(q, [q], [refPlain], refIds)).toEqual({ pplRatio: 1.029, meanKld: 0.031, sameTopPct: 93.5 });
  });
  it('from two perplexities with the same text and settings', () => {
    const q = result({ path: 'q4', sha: 's4', ppl: 11 });
    expect(versusReference(q, [q], [refPlain], refIds).pplRatio).toBeCloseTo(1.1, 10);
  });
  it.each<[string, Partial<QualityResult>]>([
    ['another context', { contextSize: 1024 }],
    ['other chunks', { chunks: 16 }],
    ['another version of the text', { textSha256: 't-en-2' }],
  ])('nothing when the reference was measured with %s', (_why, o) => {
    const q = result({ path: 'q4', sha: 's4', ppl: 11, ...o });
    expect(versusReference(q, [q], [refPlain], refIds)).toEqual({ pplRatio: null, meanKld: null, sameTopPct: null });
  });
  it('an older run of the row that matches the reference settings is used', () => {
    const shown = result({ path: 'q4', sha: 's4', ppl: 12, contextSize: 1024, measuredAt: 9 });
    const older = result({ path: 'q4', sha: 's4', ppl: 10.5, measuredAt: 1 });
    expect(versusReference(shown, [shown, older], [refPlain], refIds).pplRatio).toBeCloseTo(1.05, 10);
  });
  it('nothing without a reference or a result', () => {
    const q = result({ path: 'q4', sha: 's4' });
    expect(versusReference(q, [q], [refPlain], null).pplRatio).toBeNull();
    expect(versusReference(null, [], [refPlain], refIds).pplRatio).toBeNull();
  });
});

describe('buildComparison rows', () => {
  it('running flag, speed source, reference columns, sizes', () => {
    const q8 = row('Q8_0', { est: 20, measuredTps: 18, results: [result({ path: REF, sha: 's8', ppl: 10 })] });
    const q4 = row('Q4_K_M', {
      est: 34,
      results: [result({ path: 'q4', sha: 's4', ppl: 10.3, kld: kldVs(REF, 's8', 1.03, 0.03) })],
    });
    const dl = row('Q6_K', {
      availability: 'download',
      path: null,
      libraryId: null,
      download: { catalogId: 'x', quant: 'Q6_K' },
      est: 25,
      sizeBytes: 800.4,
    });
    const c = compare([q8, q4, dl], REF, q4.path);
    expect(c.reference).toEqual({ quant: 'Q8_0', path: REF });
    const [r8, r4, r6] = c.rows;
    expect([r8!.running, r4!.running, r6!.running]).toEqual([false, true, false]);
    expect([r8!.tgTps, r8!.tgSource, r4!.tgTps, r4!.tgSource]).toEqual([18, 'measured', 34, 'estimate']);
    expect([r8!.pplRatio, r8!.meanKld, r8!.quality?.ppl]).toEqual([null, null, 10]);
    expect([r4!.pplRatio, r4!.meanKld, r4!.sameTopPct]).toEqual([1.03, 0.03, 90]);
    expect([r6!.quality, r6!.sizeBytes, r6!.download]).toEqual([null, 800, { catalogId: 'x', quant: 'Q6_K' }]);
  });

  it('no reference: no quality columns, no versus', () => {
    const q4 = row('Q4_K_M', { est: 30, bpw: 4.9, results: [result({ path: 'q4', sha: 's4' })] });
    const c = compare([q4], null);
    expect(c.reference).toBeNull();
    expect(c.rows[0]!.pplRatio).toBeNull();
    expect(c.recommendation).toMatchObject({ quant: 'Q4_K_M', versus: null, pplDeltaPct: null, speedup: null });
  });

  it('no plan: fit and speed unknown', () => {
    const c = compare([row('Q8_0', { fit: null })]);
    expect(c.rows[0]).toMatchObject({ fit: null, fitReason: null, tgTps: null, tgSource: null });
    expect(c.recommendation).toBeNull();
  });
});

/** Q8_0 is the reference; `q` gives KLD runs against it. */
const measured = (quant: string, ratio: number, kld: number, o: Parameters<typeof row>[1] = {}) =>
  row(quant, {
    results: [result({ path: quant, sha: `s-${quant}`, kld: kldVs(REF, 's8', ratio, kld) })],
    ...o,
  });
const ref = (o: Parameters<typeof row>[1] = {}) => row('Q8_0', { bpw: 8.5, ...o });

describe('recommendation', () => {
  it("the issue's example: Q4_K_M, 2.9 % higher perplexity than Q8_0, 1.7 × faster, fits fully on the GPU", () => {
    const c = compare([
      ref({ measuredTps: 30, est: 25 }),
      measured('Q4_K_M', 1.029, 0.03, { measuredTps: 51, est: 40 }),
    ]);
    expect(c.recommendation).toMatchObject({
      quant: 'Q4_K_M',
      versus: 'Q8_0',
      fit: 'gpu',
      why: 'best-quality-fits-gpu',
    });
    expect(c.recommendation!.pplDeltaPct).toBeCloseTo(2.9, 10);
    expect(c.recommendation!.speedup).toBeCloseTo(1.7, 10);
  });

  it.each<[string, RowInput[], string | null, string | null]>([
    [
      'a better quality within 0.6 × of the fastest wins',
      [ref({ est: 20 }), measured('Q4_K_M', 1.03, 0.03, { est: 34 }), measured('Q6_K', 1.01, 0.01, { est: 26 })],
      'Q6_K',
      'best-quality-fits-gpu',
    ],
    [
      'the reference itself when it is fast enough',
      [ref({ est: 30 }), measured('Q4_K_M', 1.03, 0.03, { est: 34 })],
      'Q8_0',
      'best-quality-fits-gpu',
    ],
    [
      'an unacceptable quality (PPL +40 %) neither wins nor sets the speed bar',
      [ref({ est: 20 }), measured('Q4_K_M', 1.03, 0.03, { est: 34 }), measured('IQ1_S', 1.4, 0.9, { est: 90 })],
      'Q4_K_M',
      'best-quality-fits-gpu',
    ],
    [
      'KLD decides before the PPL ratio',
      [
        ref({ est: 10, fit: 'partial' }),
        measured('A', 1.01, 0.05, { est: 30 }),
        measured('B', 1.02, 0.02, { est: 30 }),
      ],
      'B',
      'best-quality-fits-gpu',
    ],
    [
      'the reference off the GPU, nothing measured: the most bits within the speed',
      [ref({ fit: 'partial', est: 5 }), row('Q6_K', { bpw: 6.6, est: 24 }), row('Q4_K_M', { bpw: 4.9, est: 32 })],
      'Q6_K',
      'fits-gpu',
    ],
    [
      'fits-gpu: under 4.5 bits per weight is left out while anything else fits',
      [
        ref({ fit: 'none' }),
        row('Q4_K_M', { bpw: 4.9, est: 30 }),
        row('Q3_K_M', { bpw: 4.0, est: 36 }),
        row('IQ2_XXS', { bpw: 2.1, est: 70 }),
      ],
      'Q4_K_M',
      'fits-gpu',
    ],
    [
      'fits-gpu: only low-bit rows fit: the best of them',
      [ref({ fit: 'none' }), row('IQ2_XXS', { bpw: 2.1, est: 70 }), row('IQ3_XXS', { bpw: 3.1, est: 60 })],
      'IQ3_XXS',
      'fits-gpu',
    ],
    [
      'fits-partial: the fastest, unless one within 0.9 × of it has more bits',
      [
        ref({ fit: 'cpu', est: 3 }),
        row('Q4_K_M', { bpw: 4.9, fit: 'partial', est: 10 }),
        row('Q5_K_M', { bpw: 5.7, fit: 'partial', est: 9.2 }),
        row('Q6_K', { bpw: 6.6, fit: 'partial', est: 8.5 }),
      ],
      'Q5_K_M',
      'fits-partial',
    ],
    [
      'fits-partial: the fastest',
      [
        ref({ fit: 'cpu', est: 3 }),
        row('Q4_K_M', { bpw: 4.9, fit: 'partial', est: 9 }),
        row('Q5_K_M', { bpw: 5.7, fit: 'experts-cpu', est: 7 }),
      ],
      'Q4_K_M',
      'fits-partial',
    ],
    [
      'only-fitting: the fastest on the CPU',
      [ref({ fit: 'cpu', est: 3 }), row('Q4_K_M', { bpw: 4.9, fit: 'cpu', est: 5 }), row('Q2_K', { fit: 'none' })],
      'Q4_K_M',
      'only-fitting',
    ],
    ['nothing fits', [ref({ fit: 'none' }), row('Q4_K_M', { fit: 'none' })], null, null],
    [
      'no fit known: the best measured quality',
      [ref({ fit: null }), measured('Q4_K_M', 1.03, 0.03, { fit: null }), measured('Q6_K', 1.01, 0.01, { fit: null })],
      'Q8_0',
      'unmeasured',
    ],
  ])('%s', (_why, rows, quant, why) => {
    const r = compare(rows).recommendation;
    expect(r?.quant ?? null).toBe(quant);
    expect(r?.why ?? null).toBe(why);
  });

  it('speeds compare measured with measured, else estimate with estimate', () => {
    const mixed = compare([ref({ est: 20 }), measured('Q4_K_M', 1.03, 0.03, { est: 34, measuredTps: 80 })]);
    expect(mixed.recommendation!.speedup).toBeCloseTo(1.7, 10);
    const none = compare([
      ref({ est: null, fit: 'partial' }),
      measured('Q4_K_M', 1.03, 0.03, { est: null, measuredTps: 80 }),
    ]);
    expect(none.recommendation!.speedup).toBeNull();
  });

  it('the reference recommended: no loss, speedup 1', () => {
    const c = compare([ref({ est: 30, results: [result({ path: REF, sha: 's8' })] })]);
    expect(c.recommendation).toMatchObject({ quant: 'Q8_0', versus: 'Q8_0', pplDeltaPct: 0, speedup: 1 });
  });

  it('an unmeasured row is reported with its PPL delta unknown', () => {
    const c = compare([ref({ fit: 'none' }), row('Q4_K_M', { bpw: 4.9, est: 30 })]);
    expect(c.recommendation).toMatchObject({ quant: 'Q4_K_M', versus: 'Q8_0', pplDeltaPct: null, speedup: null });
  });
});
