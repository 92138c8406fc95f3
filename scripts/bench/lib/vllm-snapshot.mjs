// A small vLLM-format snapshot folder (config.json, tokenizer_config.json, one model.safetensors with a valid header
// and zeroed weights) for starting the vLLM stand-in through the app: vllm.start reads the folder (architecture, sizes,
// the fit), while the stand-in serves FAKE_VLLM_GGUF underneath whatever folder it is given.
import fs from 'node:fs';
import path from 'node:path';

/** Writes the snapshot into `dir` (made if missing) and returns `dir`. Shapes follow a tiny Qwen2 (R1 distill style). */
export function writeVllmSnapshot(dir, { name = 'DeepSeek-R1-Distill-Qwen-Tiny', hidden = 64, layers = 2 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const vocab = 1024;
  const config = {
    _name_or_path: name,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: hidden,
    intermediate_size: hidden * 4,
    num_hidden_layers: layers,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: hidden / 4,
    max_position_embeddings: 4096,
    vocab_size: vocab,
    torch_dtype: 'bfloat16',
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'LlamaTokenizerFast', model_max_length: 4096 }),
  );
  // safetensors: u64 little-endian header length, the JSON header, then the tensor bytes (BF16: 2 bytes each).
  const tensors = {};
  let offset = 0;
  const add = (key, shape) => {
    const bytes = shape.reduce((a, b) => a * b, 1) * 2;
    tensors[key] = { dtype: 'BF16', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  };
  add('model.embed_tokens.weight', [vocab, hidden]);
  for (let l = 0; l < layers; l++) {
    add(`model.layers.${l}.self_attn.q_proj.weight`, [hidden, hidden]);
    add(`model.layers.${l}.mlp.down_proj.weight`, [hidden, hidden * 4]);
  }
  add('model.norm.weight', [hidden]);
  const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' }, ...tensors }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  fs.writeFileSync(path.join(dir, 'model.safetensors'), Buffer.concat([len, header, Buffer.alloc(offset)]));
  return dir;
}
