/**
 * Downloads end to end through the models feature (the same handlers the UI and the CLI call) against the hub
 * emulator: catalog and repo downloads, progress events with speed and ETA, pause/resume/cancel, the queue, a restart
 * in the middle, failover to ModelScope, and the failures (wrong bytes, not a GGUF, disk full). After every test the
 * models folder holds only files that verified.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { methods } from '../../shared/contract';
import type { DownloadJob } from '../../shared/models';
import {
  F16_FILE,
  Q8_FILE,
  SPLIT_FILES,
  SPLIT_REPO,
  startTestHub,
  TEST_REPO,
  visibleModelFiles,
  writeTestCatalog,
  type Hub,
} from '../../test/hub-fixtures';
import { tmpDir } from '../../test/helpers';
import { createModelsFeature, type ModelsFeature, type ModelsFeatureOptions } from '../compose/models';
import { SettingsStore } from '../settings/store';
import { createEventBus } from '../util/event-bus';

let hub: Hub;
beforeAll(async () => {
  hub = await startTestHub();
}, 120_000);
afterAll(() => hub.emu.close());

let dataDir: string;
let feature: ModelsFeature;
let events: DownloadJob[];
let libraryEvents: number;
let removedEvents: { id: string }[];
const ctx = { transport: 'direct' as const };

async function open(over: Partial<ModelsFeatureOptions> = {}): Promise<ModelsFeature> {
  const bus = createEventBus();
  bus.on('downloads.progress', (j) => events.push(j));
  bus.on('library.changed', () => libraryEvents++);
  bus.on('downloads.removed', (e) => removedEvents.push(e));
  const f = await createModelsFeature({
    dataDir,
    resourcesDirs: [path.join(__dirname, '../../../resources')],
    settings: new SettingsStore(dataDir),
    bus,
    env: {},
    hubEndpoints: { huggingface: hub.emu.url, 'hf-mirror': hub.emu.url, modelscope: hub.emu.url },
    downloadTuning: {
      segmentBytes: 2 * 1024 * 1024,
      stallMs: 1000,
      backoffBaseMs: 20,
      backoffMaxMs: 200,
      maxRetries: 3,
      checkpointMs: 50,
    },
    probeTimeoutMs: 1000,
    ...over,
  });
  return f;
}

beforeEach(async () => {
  dataDir = tmpDir('dl-feat-');
  writeTestCatalog(dataDir);
  events = [];
  libraryEvents = 0;
  removedEvents = [];
  feature = await open();
});
afterEach(async () => {
  await feature.dispose();
  hub.emu.clearFaults();
  hub.emu.resetStats();
  // Whatever happened, nothing unverified is visible in the models folder.
  const models = await feature.modelsDir();
  for (const f of visibleModelFiles(models).filter((x) => x.endsWith('.gguf'))) {
    const rec = (await feature.library.list()).find(
      (m) => m.path === path.join(models, ...f.split('/')) || f.includes('00002-of'),
    );
    expect(rec, `${f} is in the models folder but not in the library`).toBeDefined();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const call = async <M extends keyof typeof methods>(m: M, params: unknown) => {
  const h = feature.handlers[m as keyof ModelsFeature['handlers']] as (p: unknown, c: typeof ctx) => Promise<unknown>;
  // Params and results through the contract's schemas, as the transports do.
  const out = await h(methods[m].params.parse(params), ctx);
  return methods[m].result.parse(out) as ReturnType<(typeof methods)[M]['result']['parse']>;
};

describe('downloads', () => {
  it('a catalog model: progress with speed and ETA, verified, installed, listed in the library', async () => {
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect(job.state).toBe('queued');
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('completed');
    const models = await feature.modelsDir();
    expect(end.targetPath).toBe(path.join(models, 'deeplocal', 'test-tiny-GGUF', Q8_FILE));
    expect(sha(end.targetPath)).toBe(sha(hub.q8.path));
    expect(visibleModelFiles(models)).toEqual([`deeplocal/test-tiny-GGUF/${Q8_FILE}`]);
    // Partial files and sidecars are gone.
    expect(fs.readdirSync(path.join(models, '.incomplete'))).toEqual([]);
    const states = events.filter((e) => e.id === job.id).map((e) => e.state);
    expect(states[0]).toBe('queued');
    expect(states).toContain('downloading');
    expect(states).toContain('verifying');
    expect(states.at(-1)).toBe('completed');
    const last = events.at(-1)!;
    expect(last.receivedBytes).toBe(last.totalBytes);
    expect(last.files.every((f) => f.state === 'done')).toBe(true);
    for (const e of events) expect(methods['downloads.list'].result.element.safeParse(e).success).toBe(true);
    const lib = (await call('models.library', {})) as Awaited<ReturnType<typeof feature.library.list>>;
    expect(lib).toHaveLength(1);
    expect(lib[0]).toMatchObject({
      architecture: 'qwen2',
      quantization: 'Q8_0',
      source: 'models-folder',
      repo: TEST_REPO,
      catalogId: 'test-tiny',
      error: null,
      contextLength: 4096,
    });
    expect(libraryEvents).toBeGreaterThan(0);
  });

  it('progress events carry speed and ETA while bytes flow (slow link)', async () => {
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const job = (await call('downloads.start', { ref: `${TEST_REPO}:Q8_0` })) as DownloadJob;
    await feature.manager.waitFor(job.id);
    const mid = events.filter((e) => e.state === 'downloading' && e.bytesPerSecond > 0);
    expect(mid.length).toBeGreaterThan(2);
    expect(mid.some((e) => e.etaSeconds !== null && e.etaSeconds > 0)).toBe(true);
    // Throttled: not one event per chunk.
    expect(events.length).toBeLessThan(60);
  });

  it('a repo URL with :QUANT (HF-compatible endpoint named by the URL)', async () => {
    const job = (await call('downloads.start', { ref: `${hub.emu.url}/${TEST_REPO}:F16` })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('completed');
    expect(path.basename(end.targetPath)).toBe(F16_FILE);
  });

  it('a split model: every shard verified, moved together, listed once', async () => {
    const job = (await call('downloads.start', { ref: SPLIT_REPO })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('completed');
    expect(visibleModelFiles(await feature.modelsDir())).toEqual(
      SPLIT_FILES.map((f) => `deeplocal/test-split-GGUF/${f}`),
    );
    const lib = await feature.library.list();
    expect(lib).toHaveLength(1);
    expect(lib[0]).toMatchObject({ splitCount: 2, name: 'Split Test' });
  });

  it('pause keeps the partial file out of sight; resume completes it', async () => {
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    await new Promise((r) => setTimeout(r, 500));
    const paused = (await call('downloads.pause', { id: job.id })) as DownloadJob;
    expect(paused.state).toBe('paused');
    expect(paused.receivedBytes).toBeGreaterThan(0);
    expect(visibleModelFiles(await feature.modelsDir())).toEqual([]);
    hub.emu.clearFaults();
    await call('downloads.resume', { id: job.id });
    expect((await feature.manager.waitFor(job.id)).state).toBe('completed');
  });

  it('survives a restart: the job comes back paused and resumes from its sidecar', async () => {
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    await new Promise((r) => setTimeout(r, 600));
    await feature.dispose();
    hub.emu.clearFaults();
    hub.emu.resetStats();
    feature = await open();
    const back = feature.manager.list().find((j) => j.id === job.id)!;
    expect(back.state).toBe('paused');
    expect(back.receivedBytes).toBeGreaterThan(0);
    // Asking for the same model again resumes the same job.
    const again = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect(again.id).toBe(job.id);
    expect((await feature.manager.waitFor(job.id)).state).toBe('completed');
    expect(hub.emu.stats.bytesByFile[Q8_FILE]).toBeLessThan(hub.q8.size - back.receivedBytes + 4 * 2 * 1024 * 1024 + 1);
  });

  it('cancel deletes the partial files', async () => {
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    await new Promise((r) => setTimeout(r, 300));
    expect(((await call('downloads.cancel', { id: job.id })) as DownloadJob).state).toBe('cancelled');
    const inc = path.join(await feature.modelsDir(), '.incomplete', 'deeplocal', 'test-tiny-GGUF');
    expect(fs.existsSync(inc) ? fs.readdirSync(inc) : []).toEqual([]);
    expect(await call('downloads.remove', { id: job.id })).toEqual({ removed: true });
    expect(feature.manager.list()).toEqual([]);
    // Every window drops the row, not only the one that asked.
    expect(removedEvents).toEqual([{ id: job.id }]);
  });

  it('temp files a killed run left next to a sidecar go with the download, so .incomplete is pruned (install and cancel)', async () => {
    const inc = path.join(await feature.modelsDir(), '.incomplete', 'deeplocal', 'test-tiny-GGUF');
    const stale = (file: string) => {
      fs.mkdirSync(inc, { recursive: true });
      fs.writeFileSync(path.join(inc, `${file}.partial.json.4242.0badcafe.tmp`), '{"version":1');
    };
    stale(Q8_FILE);
    const a = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect((await feature.manager.waitFor(a.id)).state).toBe('completed');
    expect(fs.readdirSync(path.join(await feature.modelsDir(), '.incomplete'))).toEqual([]);

    stale(F16_FILE);
    hub.emu.setFaults([{ kind: 'rate', bytesPerSecond: 3_000_000 }]);
    const b = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'F16' })) as DownloadJob;
    await new Promise((r) => setTimeout(r, 300));
    expect(((await call('downloads.cancel', { id: b.id })) as DownloadJob).state).toBe('cancelled');
    expect(fs.readdirSync(path.join(await feature.modelsDir(), '.incomplete'))).toEqual([]);
  });

  it('a damaged library.json is set aside and rebuilt from the download records at the next start', async () => {
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect((await feature.manager.waitFor(job.id)).state).toBe('completed');
    await feature.dispose();
    fs.writeFileSync(path.join(dataDir, 'library.json'), '{"version":1,"installed":{"deeplocal/test-tiny-GGUF/');
    feature = await open();
    const lib = (await call('models.library', {})) as Awaited<ReturnType<typeof feature.library.list>>;
    expect(lib).toHaveLength(1);
    expect(lib[0]).toMatchObject({ repo: TEST_REPO, catalogId: 'test-tiny', sha256: sha(hub.q8.path), error: null });
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('library.json.corrupt-'))).toHaveLength(1);
    // Known as verified again: asking for it does not fetch it a second time.
    hub.emu.resetStats();
    expect(((await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob).state).toBe(
      'completed',
    );
    expect(hub.emu.stats.bytesServed).toBe(0);
  });

  it('a relative models folder saved by an older version is not resolved against the working directory', async () => {
    await feature.dispose();
    fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ modelsDir: 'rel-models' }));
    feature = await open();
    expect(await feature.modelsDir()).toBe(path.join(dataDir, 'models'));
  });

  it('queue: one at a time by default, the next starts when the first is done', async () => {
    const a = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    const b = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'F16' })) as DownloadJob;
    expect(feature.manager.get(b.id).state).toBe('queued');
    await feature.manager.waitFor(a.id);
    expect((await feature.manager.waitFor(b.id)).state).toBe('completed');
    const firstB = events.findIndex((e) => e.id === b.id && e.state === 'downloading');
    const doneA = events.findIndex((e) => e.id === a.id && e.state === 'completed');
    expect(firstB).toBeGreaterThan(doneA);
  });

  it('asking again for an installed model completes at once without fetching', async () => {
    const a = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    await feature.manager.waitFor(a.id);
    hub.emu.resetStats();
    const b = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect(b.state).toBe('completed');
    expect(hub.emu.stats.bytesServed).toBe(0);
  });

  it('asking again after the installed file was deleted: a new job replaces the old one, in every window', async () => {
    const a = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    await feature.manager.waitFor(a.id);
    fs.rmSync(a.targetPath, { force: true });
    const b = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    expect(b.id).not.toBe(a.id);
    expect(removedEvents).toEqual([{ id: a.id }]);
    expect((await feature.manager.waitFor(b.id)).state).toBe('completed');
    expect(feature.manager.list().map((j) => j.id)).toEqual([b.id]);
  });

  it('when Hugging Face keeps failing mid-file, continues from ModelScope (same SHA-256) into the same partial', async () => {
    hub.emu.setFaults([{ kind: 'drop', at: 10_000_000, hub: 'huggingface', times: Infinity }]);
    const job = (await call('downloads.start', {
      catalogId: 'test-tiny',
      quant: 'Q8_0',
      endpoint: 'huggingface',
    })) as DownloadJob;
    expect(job.endpoint?.id).toBe('huggingface');
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('completed');
    expect(end.endpoint?.id).toBe('modelscope');
    expect(sha(end.targetPath)).toBe(sha(hub.q8.path));
  });

  it('wrong bytes: failed with DOWNLOAD_HASH_MISMATCH, nothing installed, nothing left behind', async () => {
    hub.emu.setFaults([
      { kind: 'corrupt', at: 5_000_000, length: 4, hub: 'huggingface' },
      { kind: 'corrupt', at: 5_000_000, length: 4, hub: 'modelscope' },
    ]);
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('DOWNLOAD_HASH_MISMATCH');
    expect(visibleModelFiles(await feature.modelsDir())).toEqual([]);
    const inc = path.join(await feature.modelsDir(), '.incomplete', 'deeplocal', 'test-tiny-GGUF');
    expect(fs.existsSync(inc) ? fs.readdirSync(inc) : []).toEqual([]);
  });

  it('a file that hashes right but is not a GGUF is refused (MODEL_NOT_GGUF)', async () => {
    await hub.emu.addRepo({
      id: 'bad/notgguf-GGUF',
      files: [{ path: 'x-Q4_K_M.gguf', data: Buffer.alloc(3_000_000, 7) }],
    });
    const job = (await call('downloads.start', { ref: 'bad/notgguf-GGUF' })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.error?.code).toBe('MODEL_NOT_GGUF');
    expect(visibleModelFiles(await feature.modelsDir())).toEqual([]);
  });

  it('not enough disk space: fails before fetching anything', async () => {
    await feature.dispose();
    feature = await open({ downloadIo: { statfsFree: async () => 1_000_000 } });
    const job = (await call('downloads.start', { catalogId: 'test-tiny', quant: 'Q8_0' })) as DownloadJob;
    hub.emu.resetStats();
    const end = await feature.manager.waitFor(job.id);
    expect(end.error?.code).toBe('DOWNLOAD_DISK_FULL');
    expect(hub.emu.stats.bytesServed).toBe(0);
  });

  it.each([
    [{ ref: 'nobody/nothing-GGUF' }, 'HUB_NOT_FOUND'],
    [{ ref: `${TEST_REPO}:Q2_K` }, 'HUB_QUANT_NOT_FOUND'],
    [{ ref: 'not a repo' }, 'HUB_BAD_REF'],
    [{ catalogId: 'nope', quant: 'Q4_K_M' }, 'CATALOG_MODEL_NOT_FOUND'],
  ])('start(%j) fails with %s and creates no job', async (req, code) => {
    await expect(call('downloads.start', req)).rejects.toMatchObject({ code });
    expect(feature.manager.list()).toEqual([]);
  });
});

describe('repos, probe, fit', () => {
  it('models.openRepo lists GGUF groups with sizes and SHA-256', async () => {
    const r = (await call('models.openRepo', { ref: `hf.co/${TEST_REPO}` })) as {
      groups: { quant: string | null; files: { sha256: string | null }[] }[];
      catalogId: string | null;
    };
    expect(r.groups.map((g) => g.quant).sort()).toEqual(['F16', 'Q8_0']);
    expect(r.groups.every((g) => g.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? '')))).toBe(true);
    expect(r.catalogId).toBe('test-tiny');
  });

  it('models.inspectRemote: facts and a plan from the header alone', async () => {
    hub.emu.resetStats();
    const r = (await call('models.inspectRemote', { ref: TEST_REPO, file: Q8_FILE })) as {
      facts: { architecture: string; blockCount: number };
      fit: { plans: unknown[]; recommended: unknown };
      headerBytes: number;
    };
    expect(r.facts).toMatchObject({ architecture: 'qwen2', blockCount: 2 });
    expect(r.fit.plans.length).toBeGreaterThan(0);
    expect(r.fit.recommended).not.toBeNull();
    expect(hub.emu.stats.bytesServed).toBeLessThan(hub.q8.size / 2);
  });

  it('hub.probe measures every endpoint', async () => {
    const r = (await call('hub.probe', {})) as { probes: { ok: boolean }[]; chosen: string | null };
    expect(r.probes.every((p) => p.ok)).toBe(true);
    expect(r.chosen).not.toBeNull();
  });

  it('models.fit plans the catalog for given hardware and names a recommendation', async () => {
    const r = (await call('models.fit', {
      hardware: {
        gpus: [{ index: 0, name: 'NVIDIA GeForce RTX 4090', freeBytes: 23e9, totalBytes: 24e9 }],
        ramAvailableBytes: 60e9,
        ramTotalBytes: 64e9,
      },
    })) as { models: { modelId: string }[]; recommended: { modelId: string } | null };
    expect(r.models.map((m) => m.modelId)).toContain('test-tiny');
    expect(r.recommended?.modelId).toBe('deepseek-r1-distill-qwen-32b');
  });
});
