/**
 * The fit planner with a draft model: the draft's weights, KV cache and compute buffer are counted, and placed where
 * they cost the model least; plus the catalog's draft pairing (shared/draft-pairing.ts) over the real catalog.
 */
import { describe, expect, it } from 'vitest';
import { draftSuggestions } from '../../shared/draft-pairing';
import type { LibraryModel } from '../../shared/models';
import { DEFAULT_PLAN_SETTINGS, GiB, planFit } from './fit';
import { quantInput } from './catalog';
import { draftBytes, draftInput, planFitWithDraft, withoutDraft } from './fit-draft';
import { planModel } from './fit-recommend';
import { catalog, CPU32, machine, model, q, RTX4060, RTX4090 } from './fit-fixtures';

const draft15 = {
  facts: model('deepseek-r1-distill-qwen-1.5b').arch,
  weights: q('deepseek-r1-distill-qwen-1.5b', 'Q4_K_M').weights,
};

describe('draftBytes', () => {
  it('is the draft file plus its KV cache and compute buffer, growing with the context', () => {
    const file = draft15.weights.fileBytes;
    const at4k = draftBytes(draft15, 4096);
    const at32k = draftBytes(draft15, 32768);
    expect(at4k).toBeGreaterThan(file);
    // Qwen2-1.5B: 28 layers × 2 KV heads × 128 × (K+V) × f16 = 28 KiB per token → 32k tokens ≈ 0.9 GiB more than 4k.
    expect((at32k - at4k) / GiB).toBeGreaterThan(0.7);
    expect((at32k - at4k) / GiB).toBeLessThan(1.1);
  });
});

describe('withoutDraft', () => {
  it('takes the bytes from one GPU, from RAM, or from the shared memory of a unified machine', () => {
    const hw = machine(
      [
        ['A', 8],
        ['B', 4],
      ],
      16,
    );
    expect(withoutDraft(hw, GiB, 1).gpus.map((g) => g.freeBytes / GiB)).toEqual([8, 3]);
    expect(withoutDraft(hw, GiB, null).ramAvailableBytes / GiB).toBe(15);
    const mac = withoutDraft(machine([['Apple M3', 24]], 24, true), 2 * GiB, 0);
    expect([mac.gpus[0]!.freeBytes / GiB, mac.ramAvailableBytes / GiB]).toEqual([22, 22]);
  });
});

describe('planFitWithDraft', () => {
  const target = model('deepseek-r1-distill-qwen-7b');
  const plan = (hw: ReturnType<typeof machine>, ctx: number) =>
    planFitWithDraft(target.arch, q(target.id, 'Q4_K_M'), hw, ctx, 'f16', draft15, DEFAULT_PLAN_SETTINGS);
  it.each([
    // A 24 GB card holds both: the draft on the GPU, the model still all on the GPU.
    { name: 'RTX 4090: both on the GPU', hw: RTX4090, ctx: 16384, draftOn: 'gpu', mode: 'gpu' },
    // No GPU: the draft in RAM next to the model.
    { name: 'CPU only: draft in RAM', hw: CPU32, ctx: 8192, draftOn: 'cpu', mode: 'cpu' },
  ])('$name', ({ hw, ctx, draftOn, mode }) => {
    const r = plan(hw, ctx);
    expect(r.draft.on).toBe(draftOn);
    expect(r.plan.mode).toBe(mode);
  });

  it('an 8 GB card at 32k: the draft goes to RAM rather than push the model off the GPU', () => {
    const alone = planFit(target.arch, q(target.id, 'Q4_K_M'), RTX4060, 32768, 'f16');
    const r = plan(RTX4060, 32768);
    expect(r.draft.on).toBe('cpu');
    expect(r.plan.mode).toBe('gpu');
    expect(r.plan.gpuLayers).toBe(alone.gpuLayers);
  });

  it('counts the draft: 7 GiB of RAM hold the 7B alone at 8k, not with its draft beside it', () => {
    const small = machine([], 7);
    expect(planFit(target.arch, q(target.id, 'Q4_K_M'), small, 8192, 'f16').mode).toBe('cpu');
    const r = plan(small, 8192);
    expect(r.draft.on).toBe('cpu');
    expect(r.plan.mode).toBe('none');
  });

  it('puts the draft in RAM when it does not fit beside the margin on the only GPU', () => {
    expect(plan(machine([['GT 1030', 1.1]], 28), 4096).draft.on).toBe('cpu');
  });
});

describe('planModel with a draft (models.fit draftCatalogId)', () => {
  it('the draft is the Q4_K_M of the catalog entry, and every plan counts it', () => {
    const d = draftInput(model('deepseek-r1-distill-qwen-1.5b'));
    expect(d.weights.fileBytes).toBe(
      model('deepseek-r1-distill-qwen-1.5b').quants.find((x) => x.id === 'Q4_K_M')!.sizeBytes,
    );
    const m = model('deepseek-r1-distill-qwen-7b');
    const input = { id: m.id, facts: m.arch, quants: m.quants.map((x) => quantInput(m, x)) };
    const hw = machine([], 9);
    const alone = planModel(input, hw);
    const withDraft = planModel(input, hw, DEFAULT_PLAN_SETTINGS, d);
    const fits = (f: typeof alone) => f.plans.filter((p) => p.mode !== 'none').length;
    expect(fits(withDraft)).toBeLessThan(fits(alone));
    expect(withDraft.recommended).not.toBeNull();
    expect(withDraft.recommended!.contextSize * withDraft.recommended!.fileBytes).toBeLessThanOrEqual(
      alone.recommended!.contextSize * alone.recommended!.fileBytes,
    );
  });
});

describe('catalog pairing (CatalogModel.drafts)', () => {
  const lib = (
    o: Partial<LibraryModel> & { path: string; catalogId: string | null; sizeBytes: number },
  ): LibraryModel => ({
    provenance: null,
    id: o.path,
    name: o.path,
    architecture: 'qwen2',
    quantization: 'Q4_K_M',
    contextLength: 131072,
    parameterCount: null,
    splitCount: 1,
    source: 'models-folder',
    repo: null,
    sha256: null,
    addedAt: null,
    error: null,
    ...o,
  });
  it('pairs the 1.5B with the Qwen-based distills and the Llama 8B with the Llama 70B', () => {
    for (const id of ['deepseek-r1-distill-qwen-7b', 'deepseek-r1-distill-qwen-14b', 'deepseek-r1-distill-qwen-32b'])
      expect(model(id).drafts).toEqual(['deepseek-r1-distill-qwen-1.5b']);
    expect(model('deepseek-r1-distill-llama-70b').drafts).toEqual(['deepseek-r1-distill-llama-8b']);
    // Every pairing names a catalog model that is smaller than its target.
    for (const m of catalog)
      for (const d of m.drafts) expect(model(d).parameters, `${d} for ${m.id}`).toBeLessThan(m.parameters);
  });

  it.each([
    {
      name: 'an installed draft is offered by path (smallest first); a broken or bigger copy is not',
      library: [
        lib({ path: '/m/7b.gguf', catalogId: 'deepseek-r1-distill-qwen-7b', sizeBytes: 4.7e9 }),
        lib({ path: '/m/1.5b-q8.gguf', catalogId: 'deepseek-r1-distill-qwen-1.5b', sizeBytes: 1.9e9 }),
        lib({ path: '/m/1.5b-q4.gguf', catalogId: 'deepseek-r1-distill-qwen-1.5b', sizeBytes: 1.1e9 }),
        lib({
          path: '/m/1.5b-gone.gguf',
          catalogId: 'deepseek-r1-distill-qwen-1.5b',
          sizeBytes: 1e9,
          error: { code: 'MODEL_NOT_FOUND', message: 'gone' },
        }),
      ],
      target: '/m/7b.gguf',
      want: ['/m/1.5b-q4.gguf', '/m/1.5b-q8.gguf'],
    },
    {
      name: 'a paired draft not installed is named (path null) so it can be downloaded',
      library: [lib({ path: '/m/32b.gguf', catalogId: 'deepseek-r1-distill-qwen-32b', sizeBytes: 19e9 })],
      target: '/m/32b.gguf',
      want: [null],
    },
    {
      name: 'a model outside the catalog or without pairing gets nothing',
      library: [
        lib({ path: '/m/own.gguf', catalogId: null, sizeBytes: 4e9 }),
        lib({ path: '/m/1.5b.gguf', catalogId: 'deepseek-r1-distill-qwen-1.5b', sizeBytes: 1.1e9 }),
      ],
      target: '/m/own.gguf',
      want: [],
    },
  ])('$name', ({ library, target, want }) => {
    expect(draftSuggestions(target, library, catalog).map((s) => s.path)).toEqual(want);
  });
});
