/**
 * The fit planner as tables over the real catalog and typical gaming PCs. Each case says why it matters: a wrong
 * "fits" means an out-of-memory crash after a 20 GB download, a wrong "does not fit" hides a model that would run.
 * (fit-llama.int.test.ts checks the memory arithmetic against llama.cpp itself; fit-recommend.test.ts the choice
 * among plans.)
 */
import { describe, expect, it } from 'vitest';
import { encodeGGUF, GGMLType, gguf, GGUFType } from '../../../scripts/lib/gguf-writer.mjs';
import type { HardwareInput, KvType } from '../../shared/models';
import { GiB, planFit } from './fit';
import { BIGRAM, catalog, CPU32, M3MAX, machine, model, q, RTX4060, RTX4090, TINYVRAM, TWO3060 } from './fit-fixtures';
import { computeBuffers, kvBytesPerTokenLayer, kvTypeSupported, padContext } from './fit-memory';
import { speedClass } from './fit-speed';
import { readGguf } from './gguf';
import { factsFromGguf, parameterCounts, weightsFromFacts, weightsFromTensors } from './model-facts';

describe('KV cache arithmetic', () => {
  it.each([
    // [model, per layer per token bytes f16, what it shows]
    ['deepseek-r1-distill-qwen-7b', 4 * 128 * 2 * 2, 'GQA: 4 KV heads of 128, K and V'],
    ['deepseek-r1-distill-llama-70b', 8 * 128 * 2 * 2, 'GQA: 8 KV heads'],
    ['deepseek-r1-0528', 576 * 2, 'MLA: K only, kv_lora_rank 512 + rope 64, one head'],
    ['deepseek-r1', (192 + 128) * 128 * 2, 'old R1 GGUFs without MLA: 128 heads of K 192 and V 128'],
  ])('%s: %i bytes (%s)', (id, want) => {
    expect(kvBytesPerTokenLayer(model(id).arch, 'f16', 'f16')).toBe(want);
  });

  it('q8_0 stores 34 bytes per 32 values, q4_0 18', () => {
    const f = model('deepseek-r1-distill-qwen-7b').arch;
    expect(kvBytesPerTokenLayer(f, 'q8_0', 'q8_0')).toBe(4 * 128 * 2 * (34 / 32));
    expect(kvBytesPerTokenLayer(f, 'q4_0', 'q4_0')).toBe(4 * 128 * 2 * (18 / 32));
  });

  it('the context is padded to 256 tokens', () => {
    expect(padContext(4000)).toBe(4096);
    expect(padContext(4096)).toBe(4096);
  });

  it('quantized KV needs head sizes in whole blocks of 32', () => {
    expect(kvTypeSupported(model('deepseek-r1-distill-qwen-7b').arch, 'q8_0')).toBe(true);
    expect(
      kvTypeSupported({ ...model('deepseek-r1-distill-qwen-7b').arch, keyLength: 16, valueLength: 16 }, 'q8_0'),
    ).toBe(false);
    expect(
      kvTypeSupported({ ...model('deepseek-r1-distill-qwen-7b').arch, keyLength: 16, valueLength: 16 }, 'f16'),
    ).toBe(true);
  });

  it('without flash attention the n_head × n_ctx score matrix dominates the compute buffer', () => {
    const f = model('deepseek-r1-distill-qwen-7b').arch;
    const on = computeBuffers(f, 32768, true);
    const off = computeBuffers(f, 32768, false);
    expect(off.layer).toBeGreaterThan(5 * on.layer);
    expect(off.layer).toBeGreaterThanOrEqual(512 * 4 * 32768 * f.headCount);
  });
});

describe('catalog architecture facts', () => {
  it.each(catalog.map((m) => [m.id, m] as const))('%s: the facts reproduce the published parameter counts', (_, m) => {
    const p = parameterCounts(m.arch);
    expect(Math.abs(p.total - m.parameters) / m.parameters).toBeLessThan(0.03);
    expect(Math.abs(p.active - m.activeParameters) / m.activeParameters).toBeLessThan(0.05);
  });

  it('weights from facts add up to the file size, experts where the experts are', () => {
    const w = weightsFromFacts(model('deepseek-r1-0528').arch, 185e9);
    const total = w.embd + w.output + w.layers.reduce((n, l) => n + l.dense + l.experts, 0);
    expect(total).toBeCloseTo(185e9, -3);
    // Three leading dense layers, then MoE layers whose experts are almost all of the weights.
    expect(w.layers.slice(0, 3).every((l) => l.experts === 0)).toBe(true);
    expect(w.layers[10]!.experts / (w.layers[10]!.dense + w.layers[10]!.experts)).toBeGreaterThan(0.95);
  });
});

interface Row {
  name: string;
  hw: HardwareInput;
  id: string;
  quant: string;
  ctx: number;
  kv?: KvType;
  mode: string;
  reason: string;
  why: string;
}

describe('planFit', () => {
  it.each<Row>([
    {
      name: 'CPU only',
      hw: CPU32,
      id: 'deepseek-r1-distill-qwen-7b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'cpu',
      reason: 'FIT_CPU_NO_GPU',
      why: 'no GPU: everything in RAM',
    },
    {
      name: '8 GB GPU, 7B',
      hw: RTX4060,
      id: 'deepseek-r1-distill-qwen-7b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'gpu',
      reason: 'FIT_ALL_GPU',
      why: '4.7 GB + 0.5 GB KV fit in 7.5 GiB minus the 1 GiB margin',
    },
    {
      name: '8 GB GPU, 14B',
      hw: RTX4060,
      id: 'deepseek-r1-distill-qwen-14b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'partial',
      reason: 'FIT_PARTIAL',
      why: '9 GB of weights: some layers stay on the CPU',
    },
    {
      name: '24 GB GPU, 32B at 8k',
      hw: RTX4090,
      id: 'deepseek-r1-distill-qwen-32b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'gpu',
      reason: 'FIT_ALL_GPU',
      why: '19.9 GB + 2.1 GB KV',
    },
    {
      name: '24 GB GPU, 32B at 16k q8_0',
      hw: RTX4090,
      id: 'deepseek-r1-distill-qwen-32b',
      quant: 'Q4_K_M',
      ctx: 16384,
      kv: 'q8_0',
      mode: 'gpu',
      reason: 'FIT_ALL_GPU',
      why: 'a q8_0 cache halves the KV: 16k fits',
    },
    {
      name: '24 GB GPU, 32B at 32k',
      hw: RTX4090,
      id: 'deepseek-r1-distill-qwen-32b',
      quant: 'Q4_K_M',
      ctx: 32768,
      mode: 'partial',
      reason: 'FIT_PARTIAL',
      why: '8.6 GB of KV at 32k pushes layers out',
    },
    {
      name: 'two 12 GB GPUs, 32B',
      hw: TWO3060,
      id: 'deepseek-r1-distill-qwen-32b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'gpu',
      reason: 'FIT_ALL_GPU',
      why: 'layers split over both cards',
    },
    {
      name: 'Apple unified memory, 32B',
      hw: M3MAX,
      id: 'deepseek-r1-distill-qwen-32b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'gpu',
      reason: 'FIT_ALL_GPU',
      why: 'the GPU works from RAM',
    },
    {
      name: 'GPU too small for one layer',
      hw: TINYVRAM,
      id: 'deepseek-r1-distill-qwen-7b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'cpu',
      reason: 'FIT_CPU_GPU_TOO_SMALL',
      why: '1.1 GiB free is all margin',
    },
    {
      name: '70B on 28 GiB RAM, no GPU',
      hw: CPU32,
      id: 'deepseek-r1-distill-llama-70b',
      quant: 'Q4_K_M',
      ctx: 8192,
      mode: 'none',
      reason: 'FIT_NONE_RAM',
      why: '42.5 GB cannot fit',
    },
    {
      name: '671B on a 4090 + 256 GB RAM',
      hw: BIGRAM,
      id: 'deepseek-r1-0528',
      quant: 'UD-IQ1_S',
      ctx: 16384,
      mode: 'experts-cpu',
      reason: 'FIT_EXPERTS_CPU',
      why: 'MoE experts in RAM, attention and shared experts on the GPU',
    },
    {
      name: '671B on a 4090 + 64 GB RAM',
      hw: RTX4090,
      id: 'deepseek-r1-0528',
      quant: 'UD-IQ1_S',
      ctx: 8192,
      mode: 'none',
      reason: 'FIT_NONE_RAM',
      why: '185 GB do not fit in 84 GB',
    },
    {
      name: 'old R1 at 128k',
      hw: BIGRAM,
      id: 'deepseek-r1',
      quant: 'UD-IQ1_S',
      ctx: 131072,
      mode: 'none',
      reason: 'FIT_NONE_CONTEXT',
      why: 'without MLA, 128k tokens of KV need 650 GB',
    },
    {
      name: 'old R1 at 4k',
      hw: BIGRAM,
      id: 'deepseek-r1',
      quant: 'UD-IQ1_S',
      ctx: 4096,
      mode: 'experts-cpu',
      reason: 'FIT_EXPERTS_CPU',
      why: 'a short context still runs',
    },
  ])('$name: $mode ($why)', ({ hw, id, quant, ctx, kv, mode, reason }) => {
    const p = planFit(model(id).arch, q(id, quant), hw, ctx, kv ?? 'f16');
    expect(p.mode).toBe(mode);
    expect(p.reason.code).toBe(reason);
    const L = model(id).arch.blockCount;
    if (mode === 'gpu' || mode === 'experts-cpu') expect(p.gpuLayers).toBe(L + 1);
    if (mode === 'partial') {
      expect(p.gpuLayers).toBeGreaterThan(0);
      expect(p.gpuLayers).toBeLessThan(L);
      expect(p.reason.params.gpuLayers).toBe(p.gpuLayers);
    }
    if (mode === 'cpu' || mode === 'none') expect(p.gpuLayers).toBe(0);
    // Every plan that fits leaves the 1 GiB margin on each GPU.
    for (const [i, g] of p.gpu.entries())
      expect(g.model + g.context + g.compute).toBeLessThanOrEqual(hw.gpus[i]!.freeBytes - GiB + 1);
    if (mode === 'none') expect(p.speed).toBe('none');
    else expect(p.tokensPerSecond).toBeGreaterThan(0);
  });

  it('two GPUs both carry layers', () => {
    const p = planFit(
      model('deepseek-r1-distill-qwen-32b').arch,
      q('deepseek-r1-distill-qwen-32b', 'Q4_K_M'),
      TWO3060,
      8192,
      'f16',
    );
    expect(p.gpu.map((g) => g.model > 5e9)).toEqual([true, true]);
  });

  it('experts-cpu keeps the experts of the first N layers in RAM and fills the GPU with the rest', () => {
    const p = planFit(model('deepseek-r1-0528').arch, q('deepseek-r1-0528', 'UD-IQ1_S'), BIGRAM, 16384, 'f16');
    expect(p.cpuMoeLayers).toBeGreaterThan(40);
    expect(p.cpuMoeLayers).toBeLessThanOrEqual(61);
    expect(p.host.model).toBeGreaterThan(150e9);
    expect(p.gpu[0]!.model + p.gpu[0]!.context + p.gpu[0]!.compute).toBeLessThanOrEqual(22.5 * GiB);
  });

  it('more memory never makes a plan worse', () => {
    const order = ['none', 'cpu', 'partial', 'experts-cpu', 'gpu'];
    for (const id of ['deepseek-r1-distill-qwen-14b', 'deepseek-r1-0528']) {
      const quant = model(id).quants[0]!.id;
      let last = -1;
      let lastLayers = -1;
      for (const vram of [0, 4, 8, 12, 16, 24, 48, 96, 200]) {
        const p = planFit(model(id).arch, q(id, quant), machine(vram ? [['GPU', vram]] : [], 240), 8192, 'f16');
        const rank = order.indexOf(p.mode);
        expect(rank).toBeGreaterThanOrEqual(last);
        if (rank === last && p.mode === 'partial') expect(p.gpuLayers).toBeGreaterThanOrEqual(lastLayers);
        last = rank;
        lastLayers = p.gpuLayers;
      }
    }
  });

  it.each([
    [25, 'fast'],
    [20, 'fast'],
    [8, 'good'],
    [3, 'slow'],
    [0.5, 'very-slow'],
    [null, 'none'],
  ] as const)('speed class of %s t/s is %s', (tps, cls) => {
    expect(speedClass(tps)).toBe(cls);
  });
});

describe('facts and weights from a GGUF header', () => {
  const kv = [
    ['general.architecture', gguf.str('deepseek2')],
    ['deepseek2.block_count', gguf.u32(2)],
    ['deepseek2.context_length', gguf.u32(163840)],
    ['deepseek2.embedding_length', gguf.u32(64)],
    ['deepseek2.feed_forward_length', gguf.u32(128)],
    ['deepseek2.attention.head_count', gguf.u32(4)],
    ['deepseek2.attention.head_count_kv', gguf.u32(1)],
    ['deepseek2.attention.key_length', gguf.u32(96)],
    ['deepseek2.attention.value_length', gguf.u32(64)],
    ['deepseek2.attention.key_length_mla', gguf.u32(48)],
    ['deepseek2.attention.value_length_mla', gguf.u32(32)],
    ['deepseek2.attention.kv_lora_rank', gguf.u32(64)],
    ['deepseek2.rope.dimension_count', gguf.u32(32)],
    ['deepseek2.expert_count', gguf.u32(8)],
    ['deepseek2.expert_used_count', gguf.u32(2)],
    ['deepseek2.leading_dense_block_count', gguf.u32(1)],
    [
      'tokenizer.ggml.tokens',
      gguf.arr(
        GGUFType.STRING,
        Array.from({ length: 100 }, (_, i) => `t${i}`),
      ),
    ],
  ];
  const tensors = [
    { name: 'token_embd.weight', ne: [64, 100], type: GGMLType.F16 },
    { name: 'blk.0.attn_kv_a_mqa.weight', ne: [64, 96], type: GGMLType.F16 },
    { name: 'blk.0.ffn_up.weight', ne: [64, 128], type: GGMLType.F16 },
    { name: 'blk.1.attn_kv_a_mqa.weight', ne: [64, 96], type: GGMLType.F16 },
    { name: 'blk.1.ffn_up_exps.weight', ne: [64, 32, 8], type: GGMLType.F16 },
    { name: 'output_norm.weight', ne: [64], type: GGMLType.F32 },
  ];

  it('reads MLA, experts, vocab size and a tied output', async () => {
    const buf = encodeGGUF({ kv, tensors });
    const h = await readGguf({ size: buf.length, read: async (o, n) => buf.subarray(o, o + n) });
    const f = factsFromGguf(h);
    expect(f).toMatchObject({
      architecture: 'deepseek2',
      blockCount: 2,
      mla: true,
      keyLength: 96,
      kvLoraRank: 64,
      ropeDim: 32,
      expertCount: 8,
      expertUsedCount: 2,
      leadingDenseBlockCount: 1,
      vocabSize: 100,
      tiedEmbeddings: true,
    });
    const w = weightsFromTensors(h.tensors, f.blockCount, buf.length);
    expect(w.embd).toBe(64 * 100 * 2);
    expect(w.output).toBe(64 * 4);
    // Tied: the GPU needs its own copy of the embedding as the output matrix.
    expect(w.outputTiedExtra).toBe(w.embd);
    expect(w.layers).toEqual([
      { dense: (64 * 96 + 64 * 128) * 2, experts: 0 },
      { dense: 64 * 96 * 2, experts: 64 * 32 * 8 * 2 },
    ]);
  });
});
