/**
 * Model profiles: when a saved profile applies (same file, same machine) and why not (stale), the store's file
 * (atomic writes, concurrent saves all kept, a corrupt file or entry ignored with a log line and never a crash),
 * and the fingerprints behind it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HardwareReport } from '../../shared/telemetry';
import type { ModelProfile } from '../../shared/tuning';
import { hardwareFingerprint, hardwareIdentity, modelFingerprint, type HardwareIdentity } from './fingerprint';
import { judgeProfile, PROFILES_FILE, ProfileStore } from './profiles';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-profiles-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const profile = (modelPath: string, over: Partial<ModelProfile> = {}): ModelProfile => ({
  modelPath,
  modelFingerprint: 'm1',
  hardwareFingerprint: 'h1',
  source: 'tuned',
  options: { threads: 8, flashAttention: 'on', batch: 2048, ubatch: 512 },
  savedAt: 1,
  tune: null,
  ...over,
});

describe('judgeProfile', () => {
  it.each([
    ['nothing saved', null, { profile: null, stale: null }],
    ['same file, same machine: applies', profile('/m'), { profile: profile('/m'), stale: null }],
    ['the file changed', profile('/m', { modelFingerprint: 'm0' }), { profile: null, stale: 'model-changed' }],
    ['the machine changed', profile('/m', { hardwareFingerprint: 'h0' }), { profile: null, stale: 'hardware-changed' }],
    [
      'both changed: the file is named (re-tune either way)',
      profile('/m', { modelFingerprint: 'm0', hardwareFingerprint: 'h0' }),
      { profile: null, stale: 'model-changed' },
    ],
  ])('%s', (_, saved, want) => {
    expect(judgeProfile(saved, { model: 'm1', hardware: 'h1' })).toEqual(want);
  });
});

describe('ProfileStore', () => {
  it('saves, reads back by absolute path, clears', async () => {
    const s = new ProfileStore(dir);
    const m = path.join(dir, 'a.gguf');
    await s.save(profile(m));
    expect(await s.read(m)).toEqual(profile(m));
    expect(await s.read(path.join(dir, '.', 'x', '..', 'a.gguf'))).toEqual(profile(m));
    expect(await s.clear(m)).toBe(true);
    expect(await s.clear(m)).toBe(false);
    expect(await s.read(m)).toBeNull();
  });

  it('writes atomically: concurrent saves all land, the file is whole JSON, no temp files are left', async () => {
    const s = new ProfileStore(dir);
    const paths = Array.from({ length: 12 }, (_, i) => path.join(dir, `m${i}.gguf`));
    await Promise.all(paths.map((p) => s.save(profile(p))));
    expect(Object.keys(await s.all()).sort()).toEqual([...paths].sort());
    expect(JSON.parse(fs.readFileSync(path.join(dir, PROFILES_FILE), 'utf8')).version).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([PROFILES_FILE]);
  });

  it.each([
    ['not JSON', '{"version":1,"profiles":{'],
    ['another version', '{"version":2,"profiles":{}}'],
    ['not an object', '[1,2,3]'],
    ['empty', ''],
  ])('a corrupt file (%s) is ignored with a log line; the next save replaces it', async (_, text) => {
    fs.writeFileSync(path.join(dir, PROFILES_FILE), text);
    const log: string[] = [];
    const s = new ProfileStore(dir, (m) => log.push(m));
    expect(await s.all()).toEqual({});
    expect(log.join('\n')).toMatch(/not a valid profiles file/);
    const m = path.join(dir, 'a.gguf');
    await s.save(profile(m));
    expect(await s.read(m)).toEqual(profile(m));
  });

  it('a bad entry is skipped, the good ones kept', async () => {
    const good = profile(path.join(dir, 'good.gguf'));
    fs.writeFileSync(
      path.join(dir, PROFILES_FILE),
      JSON.stringify({
        version: 1,
        profiles: {
          [good.modelPath]: good,
          '/bad.gguf': { modelPath: '/bad.gguf', options: { threads: -3 } },
          '/elsewhere.gguf': profile('/other.gguf'),
        },
      }),
    );
    const log: string[] = [];
    const s = new ProfileStore(dir, (m) => log.push(m));
    expect(await s.all()).toEqual({ [good.modelPath]: good });
    expect(log).toHaveLength(2);
  });

  it('a profiles path that cannot be read (a folder) is ignored, not a crash', async () => {
    fs.mkdirSync(path.join(dir, PROFILES_FILE));
    const log: string[] = [];
    expect(await new ProfileStore(dir, (m) => log.push(m)).all()).toEqual({});
    expect(log.join('\n')).toMatch(/cannot read/);
  });
});

describe('modelFingerprint', () => {
  it('same bytes → same; other header bytes or another size → different', async () => {
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    const bytes = Buffer.alloc(64 * 1024, 7);
    fs.writeFileSync(a, bytes);
    fs.writeFileSync(b, bytes);
    expect(await modelFingerprint(a)).toBe(await modelFingerprint(b));
    const changed = Buffer.from(bytes);
    changed[100] = 8;
    fs.writeFileSync(b, changed);
    expect(await modelFingerprint(b)).not.toBe(await modelFingerprint(a));
    fs.writeFileSync(b, Buffer.concat([bytes, Buffer.alloc(1)]));
    expect(await modelFingerprint(b)).not.toBe(await modelFingerprint(a));
  });

  it('only the head is hashed (a change beyond it shows only through the size)', async () => {
    const a = path.join(dir, 'a.gguf');
    const b = path.join(dir, 'b.gguf');
    fs.writeFileSync(a, Buffer.alloc(4096, 1));
    fs.writeFileSync(b, Buffer.concat([Buffer.alloc(1024, 1), Buffer.alloc(3072, 2)]));
    expect(await modelFingerprint(a, 1024)).toBe(await modelFingerprint(b, 1024));
  });
});

describe('hardwareFingerprint', () => {
  const id: HardwareIdentity = {
    gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24576 }],
    cpu: { model: 'AMD Ryzen 9 7950X', cores: 16, threads: 32 },
    ramGiB: 64,
    runtimeId: 'b9999-cuda-12.4',
  };
  it.each([
    ['another GPU', { ...id, gpus: [{ name: 'NVIDIA GeForce RTX 4080', memoryMiB: 16384 }] }],
    ['a second GPU', { ...id, gpus: [...id.gpus, ...id.gpus] }],
    ['another CPU', { ...id, cpu: { ...id.cpu, cores: 8 } }],
    ['more RAM', { ...id, ramGiB: 128 }],
    ['another runtime', { ...id, runtimeId: 'b9999-vulkan' }],
  ])('%s changes it', (_, other) => {
    expect(hardwareFingerprint(other)).not.toBe(hardwareFingerprint(id));
  });

  it('from a hardware report: free memory and RAM noise do not change it', () => {
    const report = (freeMiB: number, totalBytes: number) =>
      ({
        cpu: { model: 'AMD EPYC', cores: 2, threads: 2 },
        memory: { totalBytes, availableBytes: 1 },
        gpus: [],
        backendDevices: [{ name: 'Vulkan0', description: 'llvmpipe', totalMiB: 2048, freeMiB }],
        runtime: { id: 'vulkan-local' },
      }) as unknown as HardwareReport;
    const a = hardwareFingerprint(hardwareIdentity(report(2000, 24 * 1024 ** 3), null));
    expect(hardwareFingerprint(hardwareIdentity(report(1500, 24 * 1024 ** 3 - 50 * 1024 ** 2), null))).toBe(a);
    expect(hardwareFingerprint(hardwareIdentity(report(2000, 24 * 1024 ** 3), 'cpu-local'))).not.toBe(a);
  });
});
