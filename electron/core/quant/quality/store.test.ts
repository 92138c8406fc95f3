import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QualityResult } from '../../../shared/quant';
import { QualityStore, qualityKey } from './store';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'quality-store-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const parts = {
  modelSha256: 'a'.repeat(64),
  textSha256: 'b'.repeat(64),
  contextSize: 512,
  chunks: 64,
  baseSha256: null,
};

function result(over: Partial<QualityResult> = {}): QualityResult {
  return {
    key: qualityKey(parts),
    modelPath: '/m/model-Q4_K_M.gguf',
    modelSha256: parts.modelSha256,
    modelType: 'Q4_K_M',
    text: 'en',
    textSha256: parts.textSha256,
    contextSize: 512,
    chunks: 64,
    ppl: 7.5,
    pplStdErr: 0.1,
    kld: null,
    measuredAt: 1000,
    seconds: 12,
    llamaBuild: 'b1',
    ...over,
  };
}

describe('qualityKey', () => {
  it('is the same for the same parts and differs when any part differs', () => {
    const k = qualityKey(parts);
    expect(qualityKey({ ...parts })).toBe(k);
    const variants = [
      { ...parts, modelSha256: 'c'.repeat(64) },
      { ...parts, textSha256: 'c'.repeat(64) },
      { ...parts, contextSize: 256 },
      { ...parts, chunks: 32 },
      { ...parts, baseSha256: 'd'.repeat(64) },
    ].map(qualityKey);
    expect(new Set([k, ...variants]).size).toBe(6);
  });
});

describe('QualityStore', () => {
  it('puts, gets and lists results (newest first, per model), and keeps them across instances', async () => {
    const s = new QualityStore(dir);
    const a = result();
    const b = result({ key: 'q1:other', modelSha256: 'e'.repeat(64), measuredAt: 2000 });
    await s.put(a);
    await s.put(b);
    expect(await s.get(a.key)).toEqual(a);
    expect(await s.get('nope')).toBeNull();
    const again = new QualityStore(dir);
    expect((await again.list()).map((r) => r.key)).toEqual([b.key, a.key]);
    expect(await again.list(a.modelSha256)).toEqual([a]);
    // The same key replaces the old result.
    await again.put({ ...a, ppl: 8, measuredAt: 3000 });
    expect((await new QualityStore(dir).get(a.key))?.ppl).toBe(8);
    expect(await new QualityStore(dir).list()).toHaveLength(2);
  });

  it('rejects a malformed result and skips malformed entries in the file', async () => {
    const s = new QualityStore(dir);
    await expect(s.put({ ...result(), ppl: 'x' } as unknown as QualityResult)).rejects.toThrow();
    await fs.mkdir(path.join(dir, 'quality'), { recursive: true });
    await fs.writeFile(
      path.join(dir, 'quality', 'results.json'),
      JSON.stringify({ version: 1, results: [{ key: 'broken' }, result()] }),
    );
    expect((await new QualityStore(dir).list()).map((r) => r.key)).toEqual([result().key]);
    await fs.writeFile(path.join(dir, 'quality', 'results.json'), '{not json');
    expect(await new QualityStore(dir).list()).toEqual([]);
  });

  it('names base files by base + text + settings, and reports only existing non-empty ones', async () => {
    const s = new QualityStore(dir);
    const p = s.basePath({ baseSha256: 'f'.repeat(64), textSha256: 'b'.repeat(64), contextSize: 512, chunks: 64 });
    expect(path.dirname(p)).toBe(path.join(dir, 'quality', 'kld-base'));
    expect(p).not.toBe(
      s.basePath({ baseSha256: 'f'.repeat(64), textSha256: 'b'.repeat(64), contextSize: 512, chunks: 8 }),
    );
    expect(await s.useBase(p)).toBeNull();
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, '');
    expect(await s.useBase(p)).toBeNull();
    await fs.writeFile(p, 'x');
    expect(await s.useBase(p)).toBe(p);
  });

  it('evicts the least recently used base files until the new one fits the cap (100 bytes here)', async () => {
    const s = new QualityStore(dir, 100);
    const base = path.join(dir, 'quality', 'kld-base');
    await fs.mkdir(base, { recursive: true });
    const files = ['old', 'mid', 'new'].map((n) => path.join(base, `${n}.kld`));
    for (const [i, f] of files.entries()) {
      await fs.writeFile(f, Buffer.alloc(40));
      await fs.utimes(f, 1000 + i, 1000 + i);
    }
    const partial = path.join(base, 'running.kld.partial');
    await fs.writeFile(partial, Buffer.alloc(10));
    // 120 bytes there + 30 new: 'old' and 'mid' go ('partial' belongs to a running job, never counted or removed).
    expect(await s.makeRoomForBase(30)).toEqual([files[0], files[1]]);
    expect((await fs.readdir(base)).sort()).toEqual(['new.kld', 'running.kld.partial']);
    // Using a file marks it recent: the other one goes first.
    await fs.writeFile(files[0]!, Buffer.alloc(40));
    await fs.utimes(files[0]!, 5000, 5000);
    await s.useBase(files[2]!);
    expect(await s.makeRoomForBase(50)).toEqual([files[0]]);
    // `keep` is never removed even when it alone is over the cap.
    expect(await s.makeRoomForBase(1000, files[2]!)).toEqual([]);
    // A partial file untouched for over an hour was left by a killed app: removed.
    await fs.utimes(partial, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    expect(await s.makeRoomForBase(0)).toEqual([partial]);
  });
});
