/**
 * The models e2e fixture: the hub emulator (scripts/hub-emulator) serving synthetic models, and a catalog.json in
 * the app's data folder whose entry points at one of them, so the setup wizard can download, verify and start a
 * real (tiny) model end to end. The app reaches the emulator through HF_ENDPOINT / MODELSCOPE_ENDPOINT, the same
 * variables a user behind a mirror would set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startHubEmulator } from '../scripts/hub-emulator/server.mjs';
import { readGGUF } from '../scripts/lib/gguf-writer.mjs';
import { ensureTestModel, PRESETS } from '../scripts/make-test-model.mjs';

export const TEST_CATALOG_ID = 'deeplocal-test-tiny';
export const TEST_REPO = 'deeplocal-test/Tiny-R1-GGUF';
/** A second repo, not in the catalog, for opening by URL and for the slow-link pause/resume. */
export const SLOW_REPO = 'deeplocal-test/Slow-Tiny-GGUF';
export const SLOW_FILE = 'Slow-Tiny-Q8_0.gguf';
/** A repo whose listing names a file outside the models folder: the app must skip it and say so. */
export const HOSTILE_REPO = 'deeplocal-test/Hostile-Names-GGUF';
export const HOSTILE_PATH = '../../escape-Q8_0.gguf';

export interface HubFixture {
  url: string;
  /** Writes catalog.json into the app's data folder (read lazily by the core). */
  writeCatalog(dataDir: string): void;
  stop(): Promise<void>;
}

export async function startHubFixture(): Promise<HubFixture> {
  const [f16, q8, slow] = await Promise.all([
    ensureTestModel({ preset: 'tiny', seed: 1 }),
    ensureTestModel({ preset: 'tiny', seed: 1, type: 'q8_0' }),
    // Another seed: different bytes (and SHA-256) from the catalog's files, so faults aimed at it hit only it.
    ensureTestModel({ preset: 'tiny', seed: 2, type: 'q8_0' }),
  ]);
  const emu = await startHubEmulator();
  await emu.addRepo({
    id: TEST_REPO,
    files: [
      { path: 'DeepLocal-Test-Tiny-F16.gguf', source: f16 },
      { path: 'DeepLocal-Test-Tiny-Q8_0.gguf', source: q8 },
      { path: 'README.md', data: Buffer.from('# Tiny test model\n') },
    ],
  });
  await emu.addRepo({ id: SLOW_REPO, files: [{ path: SLOW_FILE, source: slow }] });
  await emu.addRepo({
    id: HOSTILE_REPO,
    files: [
      { path: 'Safe-Tiny-Q8_0.gguf', source: q8 },
      { path: HOSTILE_PATH, source: q8 },
    ],
  });

  const p = PRESETS.tiny;
  const size = (f: string) => fs.statSync(f).size;
  const catalog = {
    version: 1,
    models: [
      {
        id: TEST_CATALOG_ID,
        name: 'DeepLocal Test Tiny',
        family: 'test',
        description: 'A synthetic model with random weights and the R1 tokenizer, served by the local hub emulator.',
        parameters: Math.round(size(f16) / 2),
        activeParameters: Math.round(size(f16) / 2),
        // Above every real model, so the wizard recommends it on any machine.
        rank: 1000,
        license: 'MIT',
        huggingface: { repo: TEST_REPO, revision: 'main' },
        modelscope: { repo: TEST_REPO, revision: 'master' },
        sampling: { temperature: 0.6, top_p: 0.95 },
        arch: {
          architecture: 'qwen2',
          blockCount: p.n_layer,
          contextLength: p.n_ctx_train,
          embeddingLength: p.n_embd,
          feedForwardLength: p.n_ff,
          headCount: p.n_head,
          headCountKv: p.n_head_kv,
          keyLength: p.n_embd / p.n_head,
          valueLength: p.n_embd / p.n_head,
          vocabSize: vocabSize(f16),
        },
        quants: [
          { id: 'Q8_0', files: ['DeepLocal-Test-Tiny-Q8_0.gguf'], sizeBytes: size(q8), bitsPerWeight: 8.5 },
          { id: 'F16', files: ['DeepLocal-Test-Tiny-F16.gguf'], sizeBytes: size(f16), bitsPerWeight: 16 },
        ],
        tags: ['test'],
      },
    ],
  };
  return {
    url: emu.url,
    writeCatalog(dataDir) {
      fs.writeFileSync(path.join(dataDir, 'catalog.json'), JSON.stringify(catalog, null, 2));
    },
    stop: () => emu.close(),
  };
}

function vocabSize(file: string): number {
  const tokens = readGGUF(file).kv.get('tokenizer.ggml.tokens')?.value;
  if (!Array.isArray(tokens) || tokens.length === 0) throw new Error(`${file} has no tokenizer.ggml.tokens`);
  return tokens.length;
}
