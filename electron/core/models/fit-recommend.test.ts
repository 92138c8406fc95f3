/**
 * Choosing among plans: the recommended plan of a model and the wizard's model, over the real catalog and typical
 * gaming PCs. A wrong pick means a slow or low-quality first run, or a model that would run left unsuggested.
 */
import { describe, expect, it } from 'vitest';
import type { HardwareInput } from '../../shared/models';
import { quantInput } from './catalog';
import { DEFAULT_PLAN_SETTINGS } from './fit';
import { catalog, CPU32, machine, model, q, RTX4060, RTX4090 } from './fit-fixtures';
import { pickRecommended, planModel, recommendAcross } from './fit-recommend';

describe('recommendations', () => {
  const rec = (id: string, hw: HardwareInput) => {
    const m = model(id);
    const quants = m.quants.map((x) => quantInput(m, x));
    return planModel({ id, facts: m.arch, quants }, hw).recommended;
  };

  it.each([
    // CPU only: bits cost speed, so the usual 4-bit; long context.
    ['deepseek-r1-distill-qwen-7b', CPU32, { quant: 'Q4_K_M', mode: 'cpu' }],
    // A 24 GB card: everything is fast, so quality up to Q6_K, fully on the GPU.
    ['deepseek-r1-distill-qwen-7b', RTX4090, { quant: 'Q6_K', mode: 'gpu' }],
    // The 32B fits a 4090 at 16k (the input embedding stays in RAM, which makes room for the f16 cache); at 32k it
    // would split, so 16k on the GPU is the pick.
    ['deepseek-r1-distill-qwen-32b', RTX4090, { quant: 'Q4_K_M', mode: 'gpu', kvType: 'f16', contextSize: 16384 }],
    // Nothing runs: no recommendation rather than a crash.
    ['deepseek-r1-0528', CPU32, null],
  ] as const)('%s on %#: %j', (id, hw, want) => {
    const r = rec(id, hw);
    if (want === null) expect(r).toBeNull();
    else expect(r).toMatchObject(want);
  });

  it('never recommends a 2-bit quant of a small model, even if it is the only fast one', () => {
    const r = rec('deepseek-r1-distill-qwen-14b', machine([['NVIDIA GeForce RTX 3060', 7]], 28));
    expect(r!.quant).not.toMatch(/Q2|Q3/);
  });

  it.each([
    ['a 24 GB GPU', RTX4090, 'deepseek-r1-distill-qwen-32b'],
    ['an 8 GB GPU', RTX4060, 'deepseek-r1-0528-qwen3-8b'],
    // CPU only: the small model is the one that answers at a usable speed.
    ['CPU only', CPU32, 'deepseek-r1-distill-qwen-1.5b'],
  ])('the wizard suggests for %s: %s', (_, hw, want) => {
    const fits = catalog.map((m) => {
      const quants = m.quants.map((x) => quantInput(m, x));
      return { fit: planModel({ id: m.id, facts: m.arch, quants }, hw), rank: m.rank, quants };
    });
    expect(recommendAcross(fits)?.modelId).toBe(want);
  });

  it('plans skip quantized KV types the model cannot use', () => {
    const m = model('deepseek-r1-distill-qwen-7b');
    const facts = { ...m.arch, keyLength: 16, valueLength: 16 };
    const fit = planModel({ id: 'x', facts, quants: [q(m.id, 'Q4_K_M')] }, CPU32);
    expect(new Set(fit.plans.map((p) => p.kvType))).toEqual(new Set(['f16']));
  });

  it('plans only contexts the model was trained for', () => {
    const m = model('deepseek-r1-distill-qwen-7b');
    const fit = planModel(
      { id: 'x', facts: { ...m.arch, contextLength: 16384 }, quants: [q(m.id, 'Q4_K_M')] },
      CPU32,
      DEFAULT_PLAN_SETTINGS,
    );
    expect(Math.max(...fit.plans.map((p) => p.contextSize))).toBe(16384);
  });

  it('pickRecommended returns null when nothing fits', () => {
    expect(pickRecommended([], [])).toBeNull();
  });
});
