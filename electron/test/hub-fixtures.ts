/**
 * Hub emulator fixtures for integration tests: the synthetic test models served as a "deeplocal/test-tiny-GGUF" repo
 * on both hubs, a split model, a catalog entry pointing at them, and helpers to look into the models folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeGGUF, GGMLType, gguf, GGUFType } from '../../scripts/lib/gguf-writer.mjs';
import { startHubEmulator, type HubEmulator } from '../../scripts/hub-emulator/server.mjs';
import { ensureTestModel } from '../../scripts/make-test-model.mjs';

export const TEST_REPO = 'deeplocal/test-tiny-GGUF';
export const Q8_FILE = 'DeepLocal-Test-Tiny-Q8_0.gguf';
export const F16_FILE = 'DeepLocal-Test-Tiny-F16.gguf';
export const SPLIT_REPO = 'deeplocal/test-split-GGUF';
export const SPLIT_FILES = ['Q8_0/Split-Test-Q8_0-00001-of-00002.gguf', 'Q8_0/Split-Test-Q8_0-00002-of-00002.gguf'];

/** A two-shard split model (small, zero weights): shard 1 holds the metadata, each shard some tensors. */
export function splitModel(): Buffer[] {
  const arch = 'llama';
  const meta = [
    ['general.architecture', gguf.str(arch)],
    ['general.name', gguf.str('Split Test')],
    ['general.file_type', gguf.u32(7)],
    [`${arch}.block_count`, gguf.u32(2)],
    [`${arch}.context_length`, gguf.u32(2048)],
    [`${arch}.embedding_length`, gguf.u32(64)],
    [`${arch}.feed_forward_length`, gguf.u32(128)],
    [`${arch}.attention.head_count`, gguf.u32(2)],
    [
      'tokenizer.ggml.tokens',
      gguf.arr(
        GGUFType.STRING,
        Array.from({ length: 100 }, (_, i) => `t${i}`),
      ),
    ],
  ];
  const t = (name: string, ne: number[]) => ({
    name,
    ne,
    type: GGMLType.Q8_0,
    data: Buffer.alloc((ne.reduce((a, b) => a * b, 1) / 32) * 34, 1),
  });
  const split = (no: number) => [
    ['split.no', gguf.u16(no)],
    ['split.count', gguf.u16(2)],
    ['split.tensors.count', gguf.i32(4)],
  ];
  return [
    encodeGGUF({
      kv: [...meta, ...split(0)],
      tensors: [t('token_embd.weight', [64, 100]), t('blk.0.attn_q.weight', [64, 64])],
    }),
    encodeGGUF({ kv: split(1), tensors: [t('blk.1.attn_q.weight', [64, 64]), t('output.weight', [64, 100])] }),
  ];
}

export interface Hub {
  emu: HubEmulator;
  q8: { path: string; size: number };
  f16: { path: string; size: number };
  split: Buffer[];
}

/** Starts the emulator with the test repos (on both hubs) and returns it with the local copies of the files. */
export async function startTestHub(): Promise<Hub> {
  const [q8Path, f16Path] = await Promise.all([
    ensureTestModel({ preset: 'tiny', type: 'q8_0', seed: 1 }),
    ensureTestModel({ preset: 'tiny', seed: 1 }),
  ]);
  const emu = await startHubEmulator();
  await emu.addRepo({
    id: TEST_REPO,
    files: [
      { path: Q8_FILE, source: q8Path },
      { path: F16_FILE, source: f16Path },
      { path: 'README.md', data: Buffer.from('# test\n') },
    ],
  });
  const split = splitModel();
  await emu.addRepo({ id: SPLIT_REPO, files: SPLIT_FILES.map((p, i) => ({ path: p, data: split[i]! })) });
  return {
    emu,
    q8: { path: q8Path, size: fs.statSync(q8Path).size },
    f16: { path: f16Path, size: fs.statSync(f16Path).size },
    split,
  };
}

/** A catalog entry for the test repo, written as the data folder's catalog.json. */
export function writeTestCatalog(dataDir: string, opts: { modelscope?: boolean } = {}): void {
  const arch = {
    architecture: 'qwen2',
    blockCount: 2,
    contextLength: 4096,
    embeddingLength: 64,
    feedForwardLength: 128,
    headCount: 4,
    headCountKv: 2,
    keyLength: 16,
    valueLength: 16,
    vocabSize: 151936,
  };
  const model = {
    id: 'test-tiny',
    name: 'DeepLocal Test Tiny',
    family: 'test',
    parameters: 2e7,
    activeParameters: 2e7,
    rank: 1,
    license: 'MIT',
    huggingface: { repo: TEST_REPO, revision: 'main' },
    modelscope: opts.modelscope === false ? null : { repo: TEST_REPO, revision: 'master' },
    sampling: { temperature: 0.6, top_p: 0.95 },
    arch,
    quants: [
      { id: 'Q8_0', files: [Q8_FILE], sizeBytes: 27_000_000, bitsPerWeight: 8.5 },
      { id: 'F16', files: [F16_FILE], sizeBytes: 45_000_000, bitsPerWeight: 16 },
    ],
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'catalog.json'), JSON.stringify({ version: 1, models: [model] }));
}

/** Every file under the models folder outside .incomplete (what the library and llama-server may see). */
export function visibleModelFiles(modelsDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(modelsDir, p).split(path.sep).join('/'));
    }
  };
  walk(modelsDir);
  return out.sort();
}

export type { HubEmulator };

/** A one-tensor llama GGUF whose header reads (name, Q8_0 file type, context length): enough for the library. */
export const tinyLlamaGguf = (name: string, contextLength = 2048): Buffer =>
  encodeGGUF({
    kv: [
      ['general.architecture', gguf.str('llama')],
      ['general.name', gguf.str(name)],
      ['general.file_type', gguf.u32(7)],
      ['llama.context_length', gguf.u32(contextLength)],
    ],
    tensors: [{ name: 'blk.0.attn_q.weight', ne: [32, 4], type: GGMLType.Q8_0 }],
  });
