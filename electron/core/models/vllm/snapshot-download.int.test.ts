/**
 * vLLM snapshot downloads end to end through the models feature (the handlers the UI calls) against the hub
 * emulator serving a real snapshot repo (tree listing with lfs.oid sha256 for shards, git blob ids for small files,
 * resolve URLs): every file verified and installed as one folder, resumed after a cut, a corrupted shard and a
 * hostile listing refused, and the folder listed in the library as a safetensors model.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubEmulator, type HubEmulator } from '../../../../scripts/hub-emulator/server.mjs';
import { snapshotRepoFiles } from '../../../../scripts/hub-emulator/snapshot.mjs';
import { methods } from '../../../shared/contract';
import type { DownloadJob, LibraryModel } from '../../../shared/models';
import { tmpDir } from '../../../test/helpers';
import { createModelsFeature, type ModelsFeature } from '../../compose/models';
import { SettingsStore } from '../../settings/store';
import { createEventBus } from '../../util/event-bus';
import { inspectVllmModel } from './inspect';

const REPO = 'deeplocal/test-vllm-snapshot';
const HOSTILE = 'deeplocal/test-vllm-hostile';
const BAD_SMALL = 'deeplocal/test-vllm-bad-config';
const files = snapshotRepoFiles({ hidden: 512, layers: 4, shards: 2 });
const SHARD1 = 'model-00001-of-00002.safetensors';
const WANTED = files.map((f) => f.path).filter((p) => p !== 'README.md');

let emu: HubEmulator;
beforeAll(async () => {
  emu = await startHubEmulator();
  await emu.addRepo({ id: REPO, hubs: ['huggingface'], files });
  await emu.addRepo({
    id: HOSTILE,
    hubs: ['huggingface'],
    files: snapshotRepoFiles({ extra: [{ path: '../escape.safetensors', data: Buffer.from('x'), lfs: true }] }),
  });
  // config.json listed with a git blob id that does not match its bytes.
  await emu.addRepo({
    id: BAD_SMALL,
    hubs: ['huggingface'],
    files: snapshotRepoFiles().map((f) => (f.path === 'config.json' ? { ...f, gitOid: 'a'.repeat(40) } : f)),
  });
}, 60_000);
afterAll(() => emu.close());

let dataDir: string;
let feature: ModelsFeature;
let events: DownloadJob[];
const ctx = { transport: 'direct' as const };

beforeEach(async () => {
  dataDir = tmpDir('dl-vllm-');
  events = [];
  const bus = createEventBus();
  bus.on('downloads.progress', (j) => events.push(j));
  feature = await createModelsFeature({
    dataDir,
    resourcesDirs: [path.join(__dirname, '../../../../resources')],
    settings: new SettingsStore(dataDir),
    bus,
    env: {},
    hubEndpoints: { huggingface: emu.url, 'hf-mirror': emu.url, modelscope: emu.url },
    downloadTuning: {
      segmentBytes: 512 * 1024,
      stallMs: 1000,
      backoffBaseMs: 20,
      backoffMaxMs: 200,
      maxRetries: 3,
      checkpointMs: 50,
    },
    probeTimeoutMs: 1000,
  });
});
afterEach(async () => {
  await feature.dispose();
  emu.clearFaults();
  emu.resetStats();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const call = async <M extends keyof typeof methods>(m: M, params: unknown) => {
  const h = feature.handlers[m as keyof ModelsFeature['handlers']] as (p: unknown, c: typeof ctx) => Promise<unknown>;
  const out = await h(methods[m].params.parse(params), ctx);
  return methods[m].result.parse(out) as ReturnType<(typeof methods)[M]['result']['parse']>;
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const folderOf = async () => path.join(await feature.modelsDir(), 'deeplocal', 'test-vllm-snapshot');

describe('vLLM snapshot download', () => {
  it('downloads every file vLLM needs, verified, as one folder, with progress over all files; listed in the library', async () => {
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const job = (await call('downloads.start', { snapshot: REPO })) as DownloadJob;
    expect(job.format).toBe('safetensors');
    expect(job.targetPath).toBe(await folderOf());
    expect(job.files.map((f) => f.path).sort()).toEqual([...WANTED].sort());
    expect(job.totalBytes).toBe(files.filter((f) => f.path !== 'README.md').reduce((n, f) => n + f.data!.length, 0));
    const end = await feature.manager.waitFor(job.id);
    expect(end.state, JSON.stringify(end.error)).toBe('completed');
    // Progress covered the whole snapshot, with a speed and an ETA while bytes flowed.
    expect(events.some((e) => e.state === 'downloading' && e.bytesPerSecond > 0 && e.etaSeconds !== null)).toBe(true);
    expect(Math.max(...events.map((e) => e.receivedBytes))).toBe(job.totalBytes);
    const folder = await folderOf();
    for (const f of files) {
      const p = path.join(folder, f.path);
      if (f.path === 'README.md') expect(fs.existsSync(p)).toBe(false);
      else expect(sha(fs.readFileSync(p)), f.path).toBe(sha(Buffer.from(f.data!)));
    }
    // Nothing left behind: no partials, no staging folder.
    const incomplete = path.join(await feature.modelsDir(), '.incomplete');
    expect(fs.existsSync(incomplete) ? fs.readdirSync(incomplete, { recursive: true }) : []).toEqual([]);
    const model = await inspectVllmModel(folder);
    expect(model).toMatchObject({ architecture: 'Qwen2ForCausalLM', shards: 2, reasoning: true, contextLength: 4096 });
    expect(model.parameterCount).toBe(4 * 2 * 512 * 512);
    const lib = (await call('models.library', {})) as LibraryModel[];
    expect(lib).toHaveLength(1);
    expect(lib[0]).toMatchObject({
      path: folder,
      format: 'safetensors',
      architecture: 'Qwen2ForCausalLM',
      repo: REPO,
      splitCount: 2,
      error: null,
    });
    // Deleting it from the library removes the whole folder (and the empty owner folder).
    expect(await call('models.delete', { id: lib[0]!.id })).toEqual({ deleted: true });
    expect(fs.existsSync(folder)).toBe(false);
    expect(fs.existsSync(path.dirname(folder))).toBe(false);
    expect((await call('models.library', {})) as LibraryModel[]).toEqual([]);
  });

  it('resumes a shard after the connection is cut, from where it stopped', async () => {
    const shard = files.find((f) => f.path === SHARD1)!;
    const cut = Math.floor(shard.data!.length * 0.6);
    emu.setFaults([{ kind: 'drop', file: SHARD1, at: cut, times: 1 }]);
    const job = (await call('downloads.start', { snapshot: REPO })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state, JSON.stringify(end.error)).toBe('completed');
    expect(emu.faults()[0]!.fired).toBe(1);
    expect(sha(fs.readFileSync(path.join(await folderOf(), SHARD1)))).toBe(sha(Buffer.from(shard.data!)));
    // Not fetched again from the start: fewer bytes than twice the shard went out for it.
    expect(emu.stats.bytesByFile[SHARD1]!).toBeLessThan(2 * shard.data!.length);
  });

  it('pause and resume: the folder appears only when every file verified', async () => {
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 1_500_000 }]);
    const job = (await call('downloads.start', { snapshot: REPO })) as DownloadJob;
    await new Promise((r) => setTimeout(r, 700));
    const paused = (await call('downloads.pause', { id: job.id })) as DownloadJob;
    expect(paused.state).toBe('paused');
    expect(paused.receivedBytes).toBeGreaterThan(0);
    expect(fs.existsSync(await folderOf())).toBe(false);
    emu.clearFaults();
    await call('downloads.resume', { id: job.id });
    expect((await feature.manager.waitFor(job.id)).state).toBe('completed');
    expect(fs.readdirSync(await folderOf()).sort()).toEqual([...WANTED].sort());
  });

  it('a corrupted shard fails with DOWNLOAD_HASH_MISMATCH and installs nothing', async () => {
    emu.setFaults([{ kind: 'corrupt', file: SHARD1, at: 100_000, length: 16, times: Infinity }]);
    const job = (await call('downloads.start', { snapshot: REPO })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('DOWNLOAD_HASH_MISMATCH');
    expect(fs.existsSync(await folderOf())).toBe(false);
    expect((await call('models.library', {})) as LibraryModel[]).toEqual([]);
  });

  it('a hostile name in the listing refuses the whole snapshot with HUB_UNSAFE_PATH', async () => {
    await expect(call('downloads.start', { snapshot: HOSTILE })).rejects.toMatchObject({ code: 'HUB_UNSAFE_PATH' });
    expect(feature.manager.list()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'escape.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(await feature.modelsDir(), 'deeplocal'))).toBe(false);
  });

  it('a small file whose bytes do not match its listed git blob id: DOWNLOAD_HASH_MISMATCH', async () => {
    await expect(call('downloads.start', { snapshot: BAD_SMALL })).rejects.toMatchObject({
      code: 'DOWNLOAD_HASH_MISMATCH',
    });
    expect(feature.manager.list()).toEqual([]);
  });

  it('the vLLM catalog lists real snapshot repos', async () => {
    const list = (await call('models.vllmCatalog', {})) as { repo: string; quantization: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const e of list) expect(e.repo).toMatch(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  });
});
