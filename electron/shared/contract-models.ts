/**
 * The models part of the contract (catalog, fit, hubs, downloads, library), spread into `methods` and `events` in
 * contract.ts. Kept apart so this feature's surface reads in one place.
 */
import { z } from 'zod';
import {
  ArchFacts,
  CatalogModel,
  DownloadJob,
  DownloadRequest,
  EndpointId,
  FitReport,
  HardwareInput,
  LibraryModel,
  ModelFit,
  ProbeResult,
  RepoListing,
  VllmCatalogEntry,
} from './models';
import { ModelFileInfo, UserPath } from './schemas';

const empty = z.strictObject({});
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const jobId = z.strictObject({ id: z.string().min(1).max(100) });

export const RemoteInspect = z.object({
  /** `path` is the file's URL. */
  model: ModelFileInfo,
  facts: ArchFacts,
  fit: ModelFit,
  /** Bytes fetched to read the header(s). */
  headerBytes: z.number().int(),
});
export type RemoteInspect = z.infer<typeof RemoteInspect>;

export const modelMethods = {
  /** The bundled DeepSeek catalog (plus catalog.json in the data folder, if any). */
  'models.catalog': method(empty, z.array(CatalogModel)),
  /** vLLM-format checkpoints of the catalog (safetensors snapshots; downloaded with { snapshot: repo }). */
  'models.vllmCatalog': method(empty, z.array(VllmCatalogEntry)),
  /**
   * Plans every quant × context × KV-cache type of the catalog (or one model) for this machine, with a recommendation
   * per model and one for the wizard. Hardware comes from the probe unless given.
   */
  'models.fit': method(
    z.strictObject({
      catalogId: z.string().min(1).max(100).optional(),
      hardware: HardwareInput.optional(),
      contexts: z.array(z.number().int().min(512).max(1_048_576)).min(1).max(12).optional(),
      /** Speculative decoding: plan with this catalog model loaded beside as the draft (its Q4_K_M or nearest). */
      draftCatalogId: z.string().min(1).max(100).optional(),
    }),
    FitReport,
  ),
  /** Lists the GGUF files of any repo: `owner/repo`, `hf.co/owner/repo`, `https://huggingface.co/…`, `modelscope.cn/models/owner/repo`. */
  'models.openRepo': method(
    z.strictObject({ ref: z.string().min(1).max(2000), endpoint: EndpointId.optional() }),
    RepoListing,
  ),
  /** Reads a remote file's GGUF header through HTTP Range (nothing else is fetched) and plans it for this machine. */
  'models.inspectRemote': method(
    z.strictObject({
      ref: z.string().min(1).max(2000),
      file: z.string().min(1).max(1000),
      endpoint: EndpointId.optional(),
    }),
    RemoteInspect,
  ),
  /** Installed models: the models folder plus imported references. */
  'models.library': method(empty, z.array(LibraryModel)),
  /** Deletes a model from the models folder (all shards), or forgets a reference (the file itself stays). */
  'models.delete': method(z.strictObject({ id: z.string().min(1).max(4096) }), z.object({ deleted: z.boolean() })),
  /** Imports a local GGUF after validating it: copied into the models folder, or referenced where it lies. */
  'models.import': method(z.strictObject({ path: UserPath, mode: z.enum(['copy', 'reference']) }), LibraryModel),
  /** Measures every download endpoint (bounded to a few seconds) and says which `auto` picks. */
  'hub.probe': method(empty, ProbeResult),
  'downloads.list': method(empty, z.array(DownloadJob)),
  /** Queues a download; progress arrives as `downloads.progress`. Re-requesting a paused or failed one resumes it. */
  'downloads.start': method(DownloadRequest, DownloadJob),
  'downloads.pause': method(jobId, DownloadJob),
  'downloads.resume': method(jobId, DownloadJob),
  /** Stops and deletes the partial files. */
  'downloads.cancel': method(jobId, DownloadJob),
  /** Forgets a finished, failed or cancelled job (the list is kept across restarts). */
  'downloads.remove': method(jobId, z.object({ removed: z.boolean() })),
} as const;

export const modelEvents = {
  /** A job's snapshot: at every state change, and at most every 250 ms while bytes flow. */
  'downloads.progress': DownloadJob,
  /** A job left the list (downloads.remove), so every window drops its row. */
  'downloads.removed': z.object({ id: z.string() }),
  /** The library after a download completes, a model is imported or deleted. */
  'library.changed': z.array(LibraryModel),
} as const;
