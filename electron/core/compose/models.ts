/**
 * The models feature composed: catalog, fit planner, hubs and endpoint choice, the download queue and the library,
 * exposed as the contract's `models.*`, `hub.*` and `downloads.*` handlers. Used by app.ts and by the CLI.
 */
import os from 'node:os';
import path from 'node:path';
import type { RpcDevice } from '../../shared/backends';
import type { EventBus, Handlers } from '../../shared/contract';
import type { modelMethods } from '../../shared/contract-models';
import { AppError } from '../../shared/errors';
import type { EndpointId, HardwareInput, ModelFit } from '../../shared/models';
import type { HardwareReport } from '../../shared/telemetry';
import type { FileDownloadIo } from '../downloads/downloader';
import { downloadUrl, type Fetch, type HubHttp } from '../downloads/hubs';
import { DownloadManager } from '../downloads/manager';
import { EndpointChooser, openRepo } from '../downloads/resolve';
import { tuningFromEnv, type DownloadTuning } from '../downloads/tuning';
import type { SettingsStore } from '../settings/store';
import { expandHome } from '../util/safe-path';
import { CatalogStore, catalogPaths, quantInput } from '../models/catalog';
import { DEFAULT_PLAN_SETTINGS } from '../models/fit';
import { draftInput } from '../models/fit-draft';
import { planModel, recommendAcross } from '../models/fit-recommend';
import { GgufError, readGgufFile } from '../models/gguf';
import { hardwareFromOs, hardwareFromReport, withRpcDevices } from '../models/hardware-input';
import { ggufErrorToApp } from '../models/inspect';
import { Library } from '../models/library';
import { factsFromGguf, weightsFromTensors } from '../models/model-facts';
import { inspectRemote } from '../models/remote-gguf';
import { checkSnapshotFile, readVllmCatalog } from '../models/vllm';

export type ModelHandlers = Pick<Handlers, keyof typeof modelMethods>;

export interface ModelsFeatureOptions {
  dataDir: string;
  resourcesDirs: string[];
  settings: SettingsStore;
  bus: EventBus;
  env?: NodeJS.ProcessEnv;
  fetch?: Fetch;
  /** The hardware probe (hardware.probe); without it the planner sees RAM only. */
  probeHardware?: () => Promise<HardwareReport>;
  /** Devices the enabled llama.cpp RPC workers offer: counted as extra GPUs by the fit planner. */
  rpcDevices?: () => Promise<RpcDevice[]>;
  /** True when the backend has this model loaded (delete refuses). */
  modelInUse?: (p: string) => boolean;
  log?: (m: string) => void;
  /** Tests: every endpoint pointed at the hub emulator. */
  hubEndpoints?: Partial<Record<EndpointId, string>>;
  downloadTuning?: Partial<DownloadTuning>;
  downloadIo?: Partial<FileDownloadIo>;
  probeTimeoutMs?: number;
}

export interface ModelsFeature {
  handlers: ModelHandlers;
  manager: DownloadManager;
  library: Library;
  catalog: CatalogStore;
  endpoints: EndpointChooser;
  modelsDir(): Promise<string>;
  hardware(): Promise<HardwareInput>;
  dispose(): Promise<void>;
}

export async function createModelsFeature(o: ModelsFeatureOptions): Promise<ModelsFeature> {
  const env = o.env ?? process.env;
  const log = o.log ?? (() => undefined);
  const http: HubHttp = { fetch: o.fetch ?? globalThis.fetch };
  const paths = catalogPaths(o.resourcesDirs, o.dataDir);
  const catalog = new CatalogStore(paths.bundled, paths.extra, log);
  const defaultModelsDir = path.resolve(o.dataDir, 'models');
  let warnedRelative = false;
  const modelsDir = async () => {
    const s = await o.settings.get();
    if (!s.modelsDir) return defaultModelsDir;
    const p = expandHome(s.modelsDir);
    if (path.isAbsolute(p)) return path.resolve(p);
    // Settings refuse relative paths now; one saved before would resolve against wherever the process started.
    if (!warnedRelative)
      log(`models folder "${s.modelsDir}" in settings is not an absolute path; using ${defaultModelsDir}`);
    warnedRelative = true;
    return defaultModelsDir;
  };
  const endpoints = new EndpointChooser(
    http,
    async () => (await o.settings.get()).hub,
    env,
    o.hubEndpoints,
    o.probeTimeoutMs,
  );
  // (The manager is created next; the library asks it for records only when its own file turns out damaged.)
  const library: Library = new Library(o.dataDir, modelsDir, (list) => o.bus.emit('library.changed', list), log, {
    downloadRecords: () => manager.completedRecords(),
  });
  const manager: DownloadManager = new DownloadManager({
    dataDir: o.dataDir,
    modelsDir,
    maxConcurrent: async () => (await o.settings.get()).hub.maxConcurrentDownloads,
    connections: async () => (await o.settings.get()).hub.connections,
    resolve: { catalog, endpoints },
    http,
    tuning: { ...tuningFromEnv(env), ...o.downloadTuning },
    ...(o.downloadIo ? { io: o.downloadIo } : {}),
    emit: (job) => o.bus.emit('downloads.progress', job),
    emitRemoved: (id) => o.bus.emit('downloads.removed', { id }),
    onInstalled: (rec) => library.recordInstalled(rec),
    isInstalled: (file, sha) => library.isInstalled(file, sha),
    // A download whose SHA-256 matched must still be a GGUF (or, in a vLLM snapshot, readable safetensors / JSON)
    // before it moves into the models folder.
    validateFile: async (file, name, format) => {
      if (format === 'safetensors') return checkSnapshotFile(file, name);
      await readGgufFile(file).catch((e: unknown) => {
        throw e instanceof GgufError ? ggufErrorToApp(name, e) : e;
      });
    },
    log,
  });
  await manager.init();

  const localHardware = async (): Promise<HardwareInput> => {
    if (o.probeHardware) {
      try {
        return hardwareFromReport(await o.probeHardware());
      } catch (e) {
        log(`hardware probe unavailable for the fit planner (${(e as Error).message}); planning with RAM only`);
      }
    }
    return hardwareFromOs(os.totalmem(), os.freemem());
  };
  const hardware = async (): Promise<HardwareInput> =>
    withRpcDevices(await localHardware(), (await o.rpcDevices?.().catch(() => [])) ?? []);

  const handlers: ModelHandlers = {
    'models.catalog': () => catalog.list(),
    'models.vllmCatalog': () => readVllmCatalog(paths, log),
    'models.fit': async ({ catalogId, hardware: hw, contexts, draftCatalogId }) => {
      const input = hw ?? (await hardware());
      const all = await catalog.list();
      const models = catalogId ? all.filter((m) => m.id === catalogId) : all;
      if (catalogId && !models.length) throw new AppError('CATALOG_MODEL_NOT_FOUND', { id: catalogId });
      const settings = contexts ? { ...DEFAULT_PLAN_SETTINGS, contexts } : DEFAULT_PLAN_SETTINGS;
      const draft = draftCatalogId ? draftInput(await catalog.get(draftCatalogId)) : undefined;
      const fits = models.map((m) => {
        const quants = m.quants.map((q) => quantInput(m, q));
        return { fit: planModel({ id: m.id, facts: m.arch, quants }, input, settings, draft), rank: m.rank, quants };
      });
      return { hardware: input, models: fits.map((f) => f.fit), recommended: recommendAcross(fits) };
    },
    'models.openRepo': ({ ref, endpoint }) => openRepo(ref, endpoint, { catalog, endpoints }),
    'models.inspectRemote': async ({ ref, file, endpoint }) => {
      const listing = await openRepo(ref, endpoint, { catalog, endpoints });
      const group = listing.groups.find((g) => g.path === file || g.files.some((f) => f.path === file));
      if (!group) throw new AppError('HUB_FILE_NOT_FOUND', { repo: listing.ref.repo, file });
      const ep = listing.endpoint;
      const remote = group.files.map((f) => ({
        url: downloadUrl(ep, listing.ref.repo, listing.ref.revision, f.path),
        size: f.sizeBytes || null,
        name: f.path,
      }));
      const r = await inspectRemote(remote, http.fetch);
      const first = r.headers[0]!;
      const tensors = r.headers.flatMap((h) => h.tensors);
      const facts = factsFromGguf(
        { metadata: first.metadata, tensors },
        tensors.map((t) => t.name),
      );
      const weights = weightsFromTensors(tensors, facts.blockCount, group.sizeBytes || r.info.sizeBytes);
      const quant = group.quant ?? r.info.quantization ?? path.basename(group.path);
      const bpw = (weights.fileBytes * 8) / Math.max(1, r.info.parameterCount ?? 1);
      const fit: ModelFit = planModel(
        {
          id: `${listing.ref.repo}/${group.path}`,
          facts,
          quants: [
            {
              quant,
              bitsPerWeight: bpw,
              dynamic: /^UD-/i.test(quant) && (r.info.parameterCount ?? 0) > 100e9,
              weights,
            },
          ],
        },
        await hardware(),
      );
      return { model: r.info, facts, fit, headerBytes: r.bytesFetched };
    },
    'models.library': () => library.list(),
    'models.delete': async ({ id }) => ({ deleted: await library.delete(id, o.modelInUse ?? (() => false)) }),
    'models.import': async ({ path: p, mode }) => library.import(expandHome(p), mode),
    'hub.probe': () => endpoints.probe(true),
    'downloads.list': async () => manager.list(),
    'downloads.start': (req) => manager.start(req),
    'downloads.pause': ({ id }) => manager.pause(id),
    'downloads.resume': ({ id }) => manager.resume(id),
    'downloads.cancel': ({ id }) => manager.cancel(id),
    'downloads.remove': async ({ id }) => ({ removed: await manager.remove(id) }),
  };

  return { handlers, manager, library, catalog, endpoints, modelsDir, hardware, dispose: () => manager.dispose() };
}
