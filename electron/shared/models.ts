/**
 * Contract types for the model catalog, the fit planner, hubs and mirrors, downloads and the local library.
 * The UI builds the Models page and the setup wizard on these; core (electron/core/models, electron/core/downloads)
 * implements them.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';
import { Provenance } from './provenance';

// ---------- hubs ----------

/** Which HTTP API a hub speaks: Hugging Face (and HF-compatible mirrors) or ModelScope. */
export const HubKind = z.enum(['huggingface', 'modelscope']);
export type HubKind = z.infer<typeof HubKind>;

/**
 * Download endpoints. `huggingface` is huggingface.co (or HF_ENDPOINT when set), `hf-mirror` the community mirror
 * following the HF_ENDPOINT convention, `modelscope` modelscope.cn, `custom` any HF-compatible URL from settings.
 */
export const EndpointId = z.enum(['huggingface', 'hf-mirror', 'modelscope', 'custom']);
export type EndpointId = z.infer<typeof EndpointId>;

export const HubSettings = z.object({
  /** `auto` probes the endpoints (latency, a few seconds at most) and takes the fastest that answers. */
  endpoint: z.enum(['auto', 'huggingface', 'hf-mirror', 'modelscope', 'custom']).default('auto'),
  /** An HF-compatible endpoint (e.g. a company mirror); used when `endpoint` is `custom`, and as a candidate in `auto`. */
  customEndpoint: z.string().url().max(2000).nullable().default(null),
  /** Parallel HTTP Range connections per file. */
  connections: z.number().int().min(1).max(16).default(4),
  /** Files downloaded at the same time; the rest wait in the queue. */
  maxConcurrentDownloads: z.number().int().min(1).max(4).default(1),
});
export type HubSettings = z.infer<typeof HubSettings>;

export const EndpointInfo = z.object({ id: EndpointId, hub: HubKind, url: z.string() });
export type EndpointInfo = z.infer<typeof EndpointInfo>;

export const EndpointProbe = EndpointInfo.extend({
  ok: z.boolean(),
  /** Time to the response headers, best of the samples. */
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type EndpointProbe = z.infer<typeof EndpointProbe>;

export const ProbeResult = z.object({
  probes: z.array(EndpointProbe),
  /** What `auto` would use now (null when none answered). */
  chosen: EndpointId.nullable(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/** A repository on a hub, parsed from an id or URL (`owner/repo`, `hf.co/owner/repo`, `modelscope.cn/models/owner/repo` …). */
export const RepoRef = z.object({
  hub: HubKind,
  repo: z.string(),
  revision: z.string(),
  /** Set when the URL names a file (…/blob/main/x.gguf, …/resolve/main/x.gguf). */
  file: z.string().nullable(),
  /** Set by a `:QUANT` suffix. */
  quant: z.string().nullable(),
  /** Set when the URL names an endpoint other than the hub's default (a mirror, a local server). */
  endpoint: z.string().nullable(),
});
export type RepoRef = z.infer<typeof RepoRef>;

export const RepoFile = z.object({
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** From the hub (HF lfs.oid, ModelScope Sha256); null for small non-LFS files. */
  sha256: z.string().nullable(),
});
export type RepoFile = z.infer<typeof RepoFile>;

/** One downloadable model in a repo: a single .gguf, or all shards of a split one. */
export const GgufGroup = z.object({
  /** Path of the file (first shard for split models). */
  path: z.string(),
  files: z.array(RepoFile),
  sizeBytes: z.number().int().nonnegative(),
  /** Parsed from the file name (Q4_K_M, UD-IQ1_S, …); null when the name says nothing. */
  quant: z.string().nullable(),
  /** True for multimodal projectors and other files that are not a model by themselves. */
  auxiliary: z.boolean(),
});
export type GgufGroup = z.infer<typeof GgufGroup>;

export const RepoListing = z.object({
  ref: RepoRef,
  endpoint: EndpointInfo,
  /** Resolved commit, when the hub tells. */
  commit: z.string().nullable(),
  groups: z.array(GgufGroup),
  /** Every file, GGUF or not. */
  files: z.array(RepoFile),
  /** The catalog entry for this repo, when there is one. */
  catalogId: z.string().nullable(),
  /** Listed files left out because their names are unsafe (HUB_UNSAFE_PATH each, naming the repo and the path). */
  skipped: z.array(ErrorInfo).optional(),
});
export type RepoListing = z.infer<typeof RepoListing>;

// ---------- catalog ----------

/** What the planner needs from a model's architecture (GGUF keys, or the catalog before anything is downloaded). */
export const ArchFacts = z.object({
  architecture: z.string(),
  blockCount: z.number().int().positive(),
  contextLength: z.number().int().positive(),
  embeddingLength: z.number().int().positive(),
  feedForwardLength: z.number().int().nonnegative(),
  headCount: z.number().int().positive(),
  headCountKv: z.number().int().positive(),
  /** Per-head key / value length as the KV cache stores it (for deepseek2 with MLA: kv_lora_rank + rope dim, K only). */
  keyLength: z.number().int().positive(),
  valueLength: z.number().int().nonnegative(),
  vocabSize: z.number().int().positive(),
  expertCount: z.number().int().nonnegative().default(0),
  expertUsedCount: z.number().int().nonnegative().default(0),
  expertFeedForwardLength: z.number().int().nonnegative().default(0),
  expertSharedCount: z.number().int().nonnegative().default(0),
  leadingDenseBlockCount: z.number().int().nonnegative().default(0),
  /** deepseek2: multi-head latent attention (the KV cache holds the compressed latent, K only). */
  mla: z.boolean().default(false),
  kvLoraRank: z.number().int().nonnegative().default(0),
  qLoraRank: z.number().int().nonnegative().default(0),
  ropeDim: z.number().int().nonnegative().default(0),
  /** deepseek2: per-head query/key and value lengths after decompression (192 / 128 for V3 and R1). */
  keyLengthMla: z.number().int().nonnegative().default(0),
  valueLengthMla: z.number().int().nonnegative().default(0),
  tiedEmbeddings: z.boolean().default(false),
});
export type ArchFacts = z.infer<typeof ArchFacts>;

export const CatalogQuant = z.object({
  /** The label in file names: Q4_K_M, IQ4_XS, UD-IQ1_S … */
  id: z.string(),
  /** Hugging Face file paths in the repo (several for split models, first shard first). */
  files: z.array(z.string()).min(1),
  /** ModelScope paths when they differ; null = same as `files`, or no ModelScope copy of this quant. */
  modelscopeFiles: z.array(z.string()).nullable().default(null),
  /** Approximate total size (the hub's figure is used at download time). */
  sizeBytes: z.number().int().positive(),
  /** Average bits per weight (quality ordering). */
  bitsPerWeight: z.number().positive(),
  /** Dynamic low-bit quants (unsloth "UD") keep sensitive layers at higher precision: usable despite few bits. */
  dynamic: z.boolean().default(false),
});
export type CatalogQuant = z.infer<typeof CatalogQuant>;

export const CatalogModel = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,80}$/),
  name: z.string(),
  family: z.string(),
  description: z.string().default(''),
  /** The description in other UI languages, by language tag (e.g. "zh-CN"); English is `description`. */
  descriptionI18n: z.record(z.string(), z.string()).default({}),
  /** Total parameters; active parameters per token (MoE). */
  parameters: z.number().positive(),
  activeParameters: z.number().positive(),
  /** Higher is more capable; orders the recommendation across models. */
  rank: z.number(),
  license: z.string(),
  licenseUrl: z.string().nullable().default(null),
  huggingface: z.object({ repo: z.string(), revision: z.string().default('main') }),
  modelscope: z
    .object({ repo: z.string(), revision: z.string().default('master') })
    .nullable()
    .default(null),
  sampling: z.object({ temperature: z.number(), top_p: z.number(), top_k: z.number().int().optional() }),
  arch: ArchFacts,
  quants: z.array(CatalogQuant).min(1),
  tags: z.array(z.string()).default([]),
  /**
   * Catalog ids of smaller models with the same vocabulary that can draft for this one (speculative decoding), best
   * first: R1-Distill-Qwen-1.5B for the Qwen-based distills, R1-Distill-Llama-8B for the Llama 70B.
   */
  drafts: z.array(z.string()).default([]),
});
export type CatalogModel = z.infer<typeof CatalogModel>;

/** On-disk format of a model: one GGUF file (or split shards) for llama.cpp, or a safetensors snapshot folder for vLLM. */
export const ModelFormat = z.enum(['gguf', 'safetensors']);
export type ModelFormat = z.infer<typeof ModelFormat>;

/**
 * A vLLM-format checkpoint (a Hugging Face repo of config, tokenizer and safetensors shards), downloaded whole as a
 * snapshot ({ snapshot: repo } in downloads.start). Kept apart from `models` (GGUF quants the fit planner plans).
 */
export const VllmCatalogEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,80}$/),
  name: z.string(),
  family: z.string(),
  /** Hugging Face repo holding the snapshot. */
  repo: z.string(),
  revision: z.string().default('main'),
  /** As its config.json quantization_config.quant_method says (awq, gptq, fp8, compressed-tensors, …). */
  quantization: z.string(),
  /** Weight bits (4 for AWQ/GPTQ int4, 8 for FP8/INT8). */
  bits: z.number().positive(),
  /** Approximate total size of the snapshot (the hub's listing is what a download uses). */
  sizeBytes: z.number().int().positive(),
  parameters: z.number().positive(),
  contextLength: z.number().int().positive(),
  license: z.string(),
  /** The GGUF catalog entry of the same model, when there is one. */
  baseCatalogId: z.string().nullable().default(null),
  description: z.string().default(''),
  descriptionI18n: z.record(z.string(), z.string()).default({}),
});
export type VllmCatalogEntry = z.infer<typeof VllmCatalogEntry>;

export const Catalog = z.object({
  version: z.literal(1),
  models: z.array(CatalogModel),
  /** vLLM-format checkpoints (optional: a catalog without them is still valid). */
  vllm: z.array(VllmCatalogEntry).optional(),
});
export type Catalog = z.infer<typeof Catalog>;

// ---------- fit planner: fit-plan.ts ----------

export * from './fit-plan';

// ---------- downloads ----------

export const DownloadState = z.enum([
  'queued',
  'downloading',
  'verifying',
  'paused',
  'completed',
  'failed',
  'cancelled',
]);
export type DownloadState = z.infer<typeof DownloadState>;

export const DownloadFile = z.object({
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  receivedBytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  state: z.enum(['pending', 'downloading', 'verifying', 'done']),
});
export type DownloadFile = z.infer<typeof DownloadFile>;

export const DownloadJob = z.object({
  id: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  hub: HubKind,
  repo: z.string(),
  revision: z.string(),
  /** Catalog id when started from the catalog. */
  catalogId: z.string().nullable(),
  name: z.string(),
  quant: z.string().nullable(),
  state: DownloadState,
  /** The endpoint bytes come from now (it can change mid-download when one fails). */
  endpoint: EndpointInfo.nullable(),
  files: z.array(DownloadFile),
  totalBytes: z.number().int().nonnegative(),
  receivedBytes: z.number().int().nonnegative(),
  /** Smoothed over the last seconds; 0 when not downloading. */
  bytesPerSecond: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** Final path of the model (first shard for split models), in the models folder. */
  targetPath: z.string(),
  error: ErrorInfo.nullable(),
  /** 'safetensors': a vLLM snapshot (every file of the repo vLLM needs; targetPath is its folder). Absent: gguf. */
  format: ModelFormat.optional(),
});
export type DownloadJob = z.infer<typeof DownloadJob>;

export const DownloadRequest = z.union([
  z.strictObject({
    catalogId: z.string().min(1).max(100),
    quant: z.string().min(1).max(100),
    endpoint: EndpointId.optional(),
  }),
  z.strictObject({
    /** A repo id or URL as accepted by models.openRepo, optionally with :QUANT. */
    ref: z.string().min(1).max(2000),
    /** A file path (first shard) in the repo; otherwise `quant` or the ref's :QUANT picks the group. */
    file: z.string().min(1).max(1000).optional(),
    quant: z.string().min(1).max(100).optional(),
    endpoint: EndpointId.optional(),
  }),
  z.strictObject({
    /**
     * A repo id or URL whose vLLM snapshot to download: config, tokenizer files, the shard index and every
     * *.safetensors shard, each verified, installed together as one folder.
     */
    snapshot: z.string().min(1).max(2000),
    endpoint: EndpointId.optional(),
  }),
]);
export type DownloadRequest = z.infer<typeof DownloadRequest>;

// ---------- library ----------

export const LibraryModel = z.object({
  /** Stable id: the path relative to the models folder for managed files, `ref:` + absolute path for references. */
  id: z.string(),
  path: z.string(),
  name: z.string(),
  architecture: z.string().nullable(),
  quantization: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  contextLength: z.number().int().nullable(),
  parameterCount: z.number().nullable(),
  splitCount: z.number().int(),
  /** downloaded/copied into the models folder, or referenced where it lies. */
  source: z.enum(['models-folder', 'reference']),
  repo: z.string().nullable(),
  sha256: z.string().nullable(),
  catalogId: z.string().nullable(),
  addedAt: z.number().nullable(),
  /** Set when the file can no longer be read (moved, deleted, damaged). */
  error: ErrorInfo.nullable(),
  /** Made by the app (llama-quantize): from what, how, with which build. Null for downloads and imports. */
  provenance: Provenance.nullable().default(null),
  /** 'safetensors': a vLLM snapshot folder (path is the folder). Absent: gguf. */
  format: ModelFormat.optional(),
});
export type LibraryModel = z.infer<typeof LibraryModel>;
