import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tmpDir } from '../../../test/helpers';
import { inspectVllmModel, readVllmConfig } from './inspect';
import { countHeaderParams } from './safetensors';

const config = {
  _name_or_path: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
  architectures: ['Qwen2ForCausalLM'],
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 4096,
  torch_dtype: 'bfloat16',
};

function shard(tensors: Record<string, { dtype: string; shape: number[] }>): Buffer {
  let off = 0;
  const h: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'I32' ? 4 : 2);
    h[k] = { ...t, data_offsets: [off, off + n] };
    off += n;
  }
  const json = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(off)]);
}

let dir: string;
beforeEach(() => {
  dir = path.join(tmpDir('vllm-inspect-'), 'My-Model');
  fs.mkdirSync(dir);
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
const write = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);

describe('inspectVllmModel', () => {
  it('reads config, the index, shard sizes and the parameter count', async () => {
    write('config.json', JSON.stringify(config));
    const a = shard({ 'a.weight': { dtype: 'BF16', shape: [64, 64] } });
    const b = shard({ 'b.weight': { dtype: 'BF16', shape: [64, 32] }, 'b.bias': { dtype: 'BF16', shape: [32] } });
    write('model-00001-of-00002.safetensors', a);
    write('model-00002-of-00002.safetensors', b);
    write(
      'model.safetensors.index.json',
      JSON.stringify({
        weight_map: {
          'a.weight': 'model-00001-of-00002.safetensors',
          'b.weight': 'model-00002-of-00002.safetensors',
          'b.bias': 'model-00002-of-00002.safetensors',
        },
      }),
    );
    const m = await inspectVllmModel(dir);
    expect(m).toEqual({
      path: dir,
      name: 'My-Model',
      architecture: 'Qwen2ForCausalLM',
      quantization: null,
      dtype: 'bfloat16',
      sizeBytes: a.length + b.length,
      shards: 2,
      contextLength: 4096,
      parameterCount: 64 * 64 + 64 * 32 + 32,
      reasoning: true,
    });
  });

  it('without an index: the *.safetensors files', async () => {
    write('config.json', JSON.stringify({ ...config, _name_or_path: 'qwen' }));
    write('model.safetensors', shard({ w: { dtype: 'BF16', shape: [8] } }));
    expect(await inspectVllmModel(dir)).toMatchObject({ shards: 1, parameterCount: 8, reasoning: false });
  });

  it('a header that does not read leaves the count out, not the model', async () => {
    write('config.json', JSON.stringify(config));
    write('model.safetensors', Buffer.from('not a safetensors file at all'));
    expect(await inspectVllmModel(dir)).toMatchObject({ shards: 1, parameterCount: null });
  });

  it.each([
    ['no config.json', () => write('model.safetensors', shard({})), /config.json is missing/],
    ['config.json not JSON', () => write('config.json', '{nope'), /not valid JSON/],
    ['config.json huge', () => write('config.json', ' '.repeat(2 * 1024 * 1024)), /larger than/],
    ['config.json a folder', () => fs.mkdirSync(path.join(dir, 'config.json')), /cannot be read/],
    [
      'no architectures',
      () => {
        write('config.json', JSON.stringify({ ...config, architectures: [] }));
        write('model.safetensors', shard({}));
      },
      /no architectures/,
    ],
    ['no weights', () => write('config.json', JSON.stringify(config)), /no \*\.safetensors/],
    [
      'index names a shard outside the folder',
      () => {
        write('config.json', JSON.stringify(config));
        write('model.safetensors.index.json', JSON.stringify({ weight_map: { w: '../../etc/passwd.safetensors' } }));
      },
      /unsafe shard/,
    ],
    [
      'index names an absolute shard',
      () => {
        write('config.json', JSON.stringify(config));
        write('model.safetensors.index.json', JSON.stringify({ weight_map: { w: '/abs.safetensors' } }));
      },
      /unsafe shard/,
    ],
    [
      'index names a missing shard',
      () => {
        write('config.json', JSON.stringify(config));
        write('model.safetensors.index.json', JSON.stringify({ weight_map: { w: 'gone.safetensors' } }));
      },
      /missing/,
    ],
    [
      'index without weight_map',
      () => {
        write('config.json', JSON.stringify(config));
        write('model.safetensors.index.json', '[]');
      },
      /weight_map/,
    ],
  ])('%s → VLLM_BAD_MODEL', async (_n, setup, reason) => {
    setup();
    const e = await inspectVllmModel(dir).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'VLLM_BAD_MODEL' });
    expect((e as { params: { reason: string } }).params.reason).toMatch(reason);
  });

  it('not a folder', async () => {
    await expect(readVllmConfig(path.join(dir, 'nothing'))).rejects.toMatchObject({ code: 'VLLM_BAD_MODEL' });
  });
});

describe('countHeaderParams', () => {
  it.each([
    ['plain', { w: { dtype: 'BF16', shape: [4, 4] } }, null, 16],
    [
      'AWQ int4: qweight unpacked, scales/zeros not counted',
      {
        'l.qweight': { dtype: 'I32', shape: [64, 8] },
        'l.qzeros': { dtype: 'I32', shape: [1, 8] },
        'l.scales': { dtype: 'F16', shape: [1, 64] },
      },
      4,
      64 * 8 * 8,
    ],
    [
      'metadata skipped',
      { __metadata__: { format: 'pt' }, w: { dtype: 'F8_E4M3', shape: [3] }, w_scale: { dtype: 'F32', shape: [1] } },
      null,
      4,
    ],
    ['bad shape', { w: { dtype: 'BF16', shape: [-1] } }, null, null],
    ['not an object', [1], null, null],
  ])('%s', (_n, header, bits, want) => {
    expect(countHeaderParams(header, bits)).toBe(want);
  });
});
