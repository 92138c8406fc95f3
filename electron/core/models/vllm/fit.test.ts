import { describe, expect, it } from 'vitest';
import { kvBytesPerToken, parseVllmConfig } from './config';
import { VLLM_BLOCK_TOKENS, VLLM_OVERHEAD_PER_GPU, vllmFit } from './fit';

const GiB = 1024 ** 3;

// Published config.json values (Hugging Face model cards).
const qwen7b = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  hidden_size: 3584,
  num_hidden_layers: 28,
  num_attention_heads: 28,
  num_key_value_heads: 4,
  max_position_embeddings: 131072,
  torch_dtype: 'bfloat16',
  quantization_config: { quant_method: 'awq', bits: 4 },
};
const llama8b = {
  architectures: ['LlamaForCausalLM'],
  hidden_size: 4096,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  max_position_embeddings: 131072,
  torch_dtype: 'float32',
};
const deepseekV3 = {
  architectures: ['DeepseekV3ForCausalLM'],
  model_type: 'deepseek_v3',
  hidden_size: 7168,
  num_hidden_layers: 61,
  num_attention_heads: 128,
  num_key_value_heads: 128,
  kv_lora_rank: 512,
  qk_rope_head_dim: 64,
  max_position_embeddings: 163840,
  torch_dtype: 'bfloat16',
  quantization_config: { quant_method: 'fp8' },
};

describe('parseVllmConfig', () => {
  it.each([
    [
      'Qwen2 7B (GQA, bf16)',
      qwen7b,
      { layers: 28, kvHeads: 4, headDim: 128, kvDtypeBytes: 2, perToken: 28 * 2 * 4 * 128 * 2 },
    ],
    [
      'Llama 8B (fp32 → 4 bytes)',
      llama8b,
      { layers: 32, kvHeads: 8, headDim: 128, kvDtypeBytes: 4, perToken: 32 * 2 * 8 * 128 * 4 },
    ],
    [
      'DeepSeek V3 (MLA latent)',
      deepseekV3,
      { layers: 61, kvHeads: 128, headDim: 56, kvDtypeBytes: 2, perToken: 61 * (512 + 64) * 2 },
    ],
    [
      'head_dim given beats hidden/heads; kv heads default to heads',
      {
        architectures: ['X'],
        hidden_size: 2048,
        num_hidden_layers: 2,
        num_attention_heads: 8,
        head_dim: 128,
        dtype: 'float16',
      },
      { layers: 2, kvHeads: 8, headDim: 128, kvDtypeBytes: 2, perToken: 2 * 2 * 8 * 128 * 2 },
    ],
    [
      'text_config of a multimodal checkpoint',
      {
        architectures: ['M'],
        text_config: { hidden_size: 1024, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 2 },
      },
      { layers: 4, kvHeads: 2, headDim: 128, kvDtypeBytes: 2, perToken: 4 * 2 * 2 * 128 * 2 },
    ],
  ])('%s', (_name, json, want) => {
    const f = parseVllmConfig(json);
    expect({
      layers: f.layers,
      kvHeads: f.kvHeads,
      headDim: f.headDim,
      kvDtypeBytes: f.kvDtypeBytes,
      perToken: kvBytesPerToken(f),
    }).toEqual(want);
  });

  it('reads quantization and context', () => {
    const f = parseVllmConfig(qwen7b);
    expect([f.quantMethod, f.quantBits, f.maxPositionEmbeddings, f.architecture]).toEqual([
      'awq',
      4,
      131072,
      'Qwen2ForCausalLM',
    ]);
    expect(parseVllmConfig(deepseekV3).mla).toEqual({ kvLoraRank: 512, ropeDim: 64 });
  });

  it.each([
    ['not an object', [1, 2], /not a JSON object/],
    ['no layers', { hidden_size: 10, num_attention_heads: 2 }, /num_hidden_layers/],
    ['layers a string', { hidden_size: 10, num_hidden_layers: '9', num_attention_heads: 2 }, /num_hidden_layers/],
    ['negative heads', { hidden_size: 10, num_hidden_layers: 2, num_attention_heads: -2 }, /num_attention_heads/],
    ['absurd layers', { hidden_size: 10, num_hidden_layers: 1e9, num_attention_heads: 2 }, /num_hidden_layers/],
    [
      'kv heads above heads',
      { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 4 },
      /exceeds/,
    ],
    ['hidden smaller than heads', { hidden_size: 2, num_hidden_layers: 2, num_attention_heads: 4 }, /smaller/],
  ])('refuses %s', (_n, json, re) => {
    expect(() => parseVllmConfig(json)).toThrow(re);
  });
});

describe('vllmFit', () => {
  const facts = parseVllmConfig(qwen7b);
  const perToken = kvBytesPerToken(facts);
  const model = { sizeBytes: 5.6 * GiB, contextLength: 131072 };

  it.each([
    // [name, gpus, util, len, fits]
    ['one 24 GiB GPU, 32k context', [24 * GiB], 0.9, 32768, true],
    ['one 24 GiB GPU, the whole 128k context (7 GiB of KV cache)', [24 * GiB], 0.9, 131072, true],
    ['one 12 GiB GPU, the whole 128k context', [12 * GiB], 0.9, 131072, false],
    ['one 12 GiB GPU, 32k', [12 * GiB], 0.9, 32768, true],
    ['one 8 GiB GPU, 8k', [8 * GiB], 0.9, 8192, false],
    ['two 8 GiB GPUs (tensor parallel), 8k', [8 * GiB, 8 * GiB], 0.9, 8192, true],
    ['no GPU', [], 0.9, 4096, false],
  ] as const)('%s', (_n, gpus, util, len, fits) => {
    const f = vllmFit(facts, model, { gpuBytes: [...gpus], utilization: util, maxModelLen: len });
    const budget = gpus.length ? gpus.length * Math.min(...gpus) * util : 0;
    expect(f.budgetBytes).toBeCloseTo(budget);
    expect(f.kvBytes).toBe(perToken * len);
    expect(f.overheadBytes).toBe(gpus.length * VLLM_OVERHEAD_PER_GPU);
    expect(f.fits).toBe(fits);
    // maxFittingLen: whole blocks, the KV cache at that length fits, one more block does not (or the model's own cap).
    expect(f.maxFittingLen % VLLM_BLOCK_TOKENS === 0 || f.maxFittingLen === model.contextLength).toBe(true);
    if (f.maxFittingLen > 0) {
      expect(f.weightsBytes + f.overheadBytes + perToken * f.maxFittingLen).toBeLessThanOrEqual(f.budgetBytes);
      if (f.maxFittingLen < model.contextLength)
        expect(f.weightsBytes + f.overheadBytes + perToken * (f.maxFittingLen + VLLM_BLOCK_TOKENS)).toBeGreaterThan(
          f.budgetBytes,
        );
    }
    expect(f.fits).toBe(f.maxFittingLen >= len);
  });

  it('the smallest GPU sets a tensor-parallel budget', () => {
    const f = vllmFit(facts, model, { gpuBytes: [24 * GiB, 8 * GiB], utilization: 0.5, maxModelLen: 1024 });
    expect(f.budgetBytes).toBe(2 * 8 * GiB * 0.5);
  });

  it('caps maxFittingLen to the model context', () => {
    const f = vllmFit(
      facts,
      { sizeBytes: GiB, contextLength: 4096 },
      { gpuBytes: [80 * GiB], utilization: 0.9, maxModelLen: 4096 },
    );
    expect(f.maxFittingLen).toBe(4096);
    expect(f.fits).toBe(true);
  });

  it('weights alone over the budget: nothing fits', () => {
    const f = vllmFit(
      facts,
      { sizeBytes: 30 * GiB, contextLength: null },
      { gpuBytes: [24 * GiB], utilization: 0.9, maxModelLen: 16 },
    );
    expect([f.fits, f.maxFittingLen]).toEqual([false, 0]);
  });
});
