/**
 * GGUF headers over HTTP Range before any download: only the header crosses the network, split models read every
 * shard, a truncated remote file is a typed error, and mutated headers (fuzz) end in a typed error or a header —
 * never a crash, a hang, or fetching without bound. (The local reader's own fuzz lives in gguf.test.ts.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGGUF, GGMLType, gguf, GGUFType, makeRngU32 } from '../../../scripts/lib/gguf-writer.mjs';
import { SPLIT_FILES, SPLIT_REPO, startTestHub, TEST_REPO, F16_FILE, type Hub } from '../../test/hub-fixtures';
import { AppError } from '../../shared/errors';
import { downloadUrl } from '../downloads/hubs';
import { readGgufFile } from './gguf';
import { inspectModel } from './inspect';
import { HttpRangeSource, inspectRemote } from './remote-gguf';

let hub: Hub;
const fuzzBase = encodeGGUF({
  kv: [
    ['general.architecture', gguf.str('llama')],
    ['llama.block_count', gguf.u32(1)],
    [
      'tokenizer.ggml.tokens',
      gguf.arr(
        GGUFType.STRING,
        Array.from({ length: 80 }, (_, i) => `tok${i}`),
      ),
    ],
  ],
  tensors: [
    { name: 'token_embd.weight', ne: [32, 8], type: GGMLType.F16 },
    { name: 'blk.0.attn_q.weight', ne: [32, 32], type: GGMLType.Q8_0 },
  ],
});
const FUZZ = 150;
const mutants: Buffer[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  const rng = makeRngU32(7, 'remote-fuzz');
  // Mutations inside the header: random bytes, and u64 fields turned huge.
  const headerEnd = 1200;
  for (let i = 0; i < FUZZ; i++) {
    const b = Buffer.from(fuzzBase);
    const n = 1 + (rng() % 4);
    for (let k = 0; k < n; k++) {
      const at = rng() % Math.min(headerEnd, b.length);
      if (rng() % 3 === 0 && at + 8 <= b.length) b.writeBigUInt64LE(BigInt(rng()) << 24n, at);
      else b[at] = rng() & 0xff;
    }
    mutants.push(b);
  }
  const truncated = fs.readFileSync(hub.q8.path).subarray(0, 3_000_000);
  await hub.emu.addRepo({
    id: 'fuzz/remote-GGUF',
    files: [
      ...mutants.map((data, i) => ({ path: `m${i}.gguf`, data })),
      { path: 'truncated-Q8_0.gguf', data: truncated },
    ],
  });
}, 120_000);
afterAll(() => hub.emu.close());

const ep = () => ({ id: 'huggingface' as const, hub: 'huggingface' as const, url: hub.emu.url });

describe('inspectRemote', () => {
  it('reads the header through Range requests only, and agrees with the local reader', async () => {
    hub.emu.resetStats();
    const url = downloadUrl(ep(), TEST_REPO, 'main', F16_FILE);
    const r = await inspectRemote([{ url, size: null, name: F16_FILE }], globalThis.fetch);
    const local = await inspectModel(hub.f16.path);
    expect({ ...r.info, path: '' }).toEqual({ ...local, path: '' });
    // The vocabulary makes the header a few MB; the range doubles as needed, so at most twice the header is
    // fetched, and the 45 MB of weights never are.
    const headerBytes = (await readGgufFile(hub.f16.path)).dataOffset;
    expect(r.bytesFetched).toBeLessThanOrEqual(2 * headerBytes);
    expect(r.bytesFetched).toBeLessThan(hub.f16.size / 4);
    expect(hub.emu.stats.bytesServed).toBe(r.bytesFetched);
    expect(hub.emu.stats.requests.filter((q) => q.path.startsWith('/cdn/')).every((q) => q.range)).toBe(true);
  });

  it('split models: every shard header, tensors of all shards', async () => {
    const files = SPLIT_FILES.map((p) => ({ url: downloadUrl(ep(), SPLIT_REPO, 'main', p), size: null, name: p }));
    const r = await inspectRemote(files, globalThis.fetch);
    expect(r.info).toMatchObject({ splitCount: 2, tensorCount: 4, architecture: 'llama', name: 'Split Test' });
  });

  it('a split set with a shard missing is MODEL_TRUNCATED', async () => {
    const files = SPLIT_FILES.slice(0, 1).map((p) => ({
      url: downloadUrl(ep(), SPLIT_REPO, 'main', p),
      size: null,
      name: p,
    }));
    await expect(inspectRemote(files, globalThis.fetch)).rejects.toMatchObject({ code: 'MODEL_TRUNCATED' });
  });

  it('a remote file cut short is MODEL_TRUNCATED (tensors run past its end)', async () => {
    const url = downloadUrl(ep(), 'fuzz/remote-GGUF', 'main', 'truncated-Q8_0.gguf');
    await expect(
      inspectRemote([{ url, size: null, name: 'truncated-Q8_0.gguf' }], globalThis.fetch),
    ).rejects.toMatchObject({ code: 'MODEL_TRUNCATED' });
  });

  it('the range grows geometrically: few requests even for a multi-MB vocabulary', async () => {
    const src = await HttpRangeSource.open(downloadUrl(ep(), TEST_REPO, 'main', F16_FILE), globalThis.fetch);
    await src.read(0, 5_000_000);
    expect(src.requests).toBeLessThanOrEqual(6);
    expect(src.size).toBe(hub.f16.size);
  });

  it(`fuzz: ${FUZZ} mutated headers end in a typed error or a header, fetching a bounded amount`, async () => {
    const outcomes = { ok: 0, errors: new Map<string, number>() };
    for (let i = 0; i < FUZZ; i++) {
      const url = downloadUrl(ep(), 'fuzz/remote-GGUF', 'main', `m${i}.gguf`);
      try {
        const r = await inspectRemote([{ url, size: null, name: `m${i}.gguf` }], globalThis.fetch);
        expect(r.bytesFetched).toBeLessThanOrEqual(mutants[i]!.length + 256 * 1024);
        outcomes.ok++;
      } catch (e) {
        expect(
          e,
          `mutant ${i} (sha ${createHash('sha256').update(mutants[i]!).digest('hex').slice(0, 8)})`,
        ).toBeInstanceOf(AppError);
        const code = (e as AppError).code;
        expect(['MODEL_NOT_GGUF', 'MODEL_TRUNCATED', 'MODEL_CORRUPT']).toContain(code);
        outcomes.errors.set(code, (outcomes.errors.get(code) ?? 0) + 1);
      }
    }
    // The mutations really exercise the error paths.
    expect(outcomes.errors.size).toBeGreaterThanOrEqual(2);
  });
});
