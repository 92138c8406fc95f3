// A vLLM-format snapshot repo for the emulator (files for addRepo): config.json, generation_config.json,
// tokenizer_config.json, special_tokens_map.json and README.md as plain git files (listed with their blob id), the
// shard index and the *.safetensors shards as LFS files (listed with lfs.oid = sha256, served through the CDN
// redirect). Shapes follow a tiny Qwen2 (an R1 distill); each shard holds real safetensors headers and
// deterministic bytes (seeded), so a test can check what arrived byte for byte.
import { createHash } from 'node:crypto';

function bytes(n, seed) {
  const out = Buffer.alloc(n);
  let block = createHash('sha256').update(`seed:${seed}`).digest();
  for (let i = 0; i < n; i += 32) {
    block.copy(out, i, 0, Math.min(32, n - i));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function safetensors(tensors, seed) {
  const header = {};
  let offset = 0;
  for (const [name, shape] of tensors) {
    const n = shape.reduce((a, b) => a * b, 1) * 2;
    header[name] = { dtype: 'BF16', shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  const json = Buffer.from(JSON.stringify({ __metadata__: { format: 'pt' }, ...header }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, bytes(offset, seed)]);
}

/**
 * Files of a snapshot repo. `hidden` sets the size (each shard ≈ 2 × hidden² × 2 × layers/shards bytes);
 * `extra` adds files as given (a hostile name, a README…).
 */
export function snapshotRepoFiles({
  name = 'DeepSeek-R1-Distill-Qwen-Tiny',
  hidden = 512,
  layers = 4,
  shards = 2,
  seed = 1,
  extra = [],
} = {}) {
  const config = {
    _name_or_path: name,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: hidden,
    num_hidden_layers: layers,
    num_attention_heads: 8,
    num_key_value_heads: 2,
    max_position_embeddings: 4096,
    vocab_size: 1024,
    torch_dtype: 'bfloat16',
  };
  const files = [
    { path: 'config.json', data: Buffer.from(JSON.stringify(config, null, 2)) },
    { path: 'generation_config.json', data: Buffer.from(JSON.stringify({ temperature: 0.6, top_p: 0.95 })) },
    { path: 'tokenizer_config.json', data: Buffer.from(JSON.stringify({ tokenizer_class: 'LlamaTokenizerFast' })) },
    { path: 'special_tokens_map.json', data: Buffer.from(JSON.stringify({ bos_token: '<｜begin▁of▁sentence｜>' })) },
    { path: 'README.md', data: Buffer.from(`# ${name}\n`) },
  ];
  const weightMap = {};
  const per = Math.ceil(layers / shards);
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const tensors = [];
    for (let l = s * per; l < Math.min(layers, (s + 1) * per); l++) {
      tensors.push([`model.layers.${l}.self_attn.q_proj.weight`, [hidden, hidden]]);
      tensors.push([`model.layers.${l}.mlp.down_proj.weight`, [hidden, hidden]]);
    }
    for (const [t] of tensors) weightMap[t] = file;
    files.push({ path: file, data: safetensors(tensors, `${seed}:${s}`), lfs: true });
  }
  files.push({
    path: 'model.safetensors.index.json',
    data: Buffer.from(JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap })),
    lfs: true,
  });
  return [...files, ...extra];
}
