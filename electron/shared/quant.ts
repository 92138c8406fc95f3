/**
 * Quantization from the GUI (issue 14): the types the bundled llama-quantize offers, a plan per source model,
 * the work queue (requantize, importance matrix, quality check), quality results (perplexity, KL-divergence) and
 * the per-model comparison of quantizations. Shared by core, contract and renderer.
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';
import { DownloadRequest, FitMode, FitReason } from './models';
import { EvalTextId, Provenance, QuantTypeId } from './provenance';
import { UserPath } from './schemas';

export { EvalTextId, Provenance, QuantTypeId } from './provenance';

export const EvalText = z.object({
  id: EvalTextId,
  /** Where the text comes from and under which licence (shown in the UI, in English: titles are proper names). */
  title: z.string(),
  source: z.string(),
  license: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
});
export type EvalText = z.infer<typeof EvalText>;

/** A type the bundled llama-quantize accepts, read from its own usage text at run time. */
export const QuantType = z.object({
  id: QuantTypeId,
  /** llama-quantize's number for the type (its usage text); null when it lists none. */
  ftype: z.number().int().nullable(),
  /** The tool's own note for the type, verbatim ("4.58G, +0.1754 ppl @ Llama-3-8B"); '' when none. */
  toolNote: z.string(),
  /** Average bits per weight of the quantized matrices; null when unknown (the size estimate is then null). */
  bitsPerWeight: z.number().positive().nullable(),
  /** IQ1/IQ2 types (and IQ3_XXS … as the tool says): llama-quantize refuses them without an importance matrix. */
  needsImatrix: z.boolean(),
  /** float: F32/F16/BF16; legacy: Q4_0 … Q8_0; k: K-quants; i: IQ types; ternary: TQ; other: anything else. */
  family: z.enum(['float', 'legacy', 'k', 'i', 'ternary', 'other']),
});
export type QuantType = z.infer<typeof QuantType>;

/** Why a type is not a plain choice for a given source. */
export const QuantWarning = z.enum([
  /** The source is already low-bit (below Q8_0): needs allowRequantize, and the result loses quality twice. */
  'requantize',
  /** Needs an importance matrix (compute one or choose a file). */
  'needs-imatrix',
  /** The result would not be smaller than the source. */
  'not-smaller',
  /** The source already has this type. */
  'same-type',
]);
export type QuantWarning = z.infer<typeof QuantWarning>;

export const QuantOption = QuantType.extend({
  /** Expected size of the result (from the source's tensors); null when the type's bits per weight are unknown. */
  expectedBytes: z.number().int().nonnegative().nullable(),
  /** How it would run on this computer at the default context (fit planner); null when unknown. */
  fit: FitMode.nullable(),
  fitReason: FitReason.nullable(),
  warnings: z.array(QuantWarning),
});
export type QuantOption = z.infer<typeof QuantOption>;

export const QuantSource = z.object({
  path: z.string(),
  name: z.string(),
  /** The file's type as llama-quantize names it (F16, BF16, Q8_0, Q4_K_M …); null when the header does not say. */
  fileType: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  splitCount: z.number().int().positive(),
  /** F32/F16/BF16/Q8_0: a good source to quantize from, and a KL-divergence reference. */
  highPrecision: z.boolean(),
});
export type QuantSource = z.infer<typeof QuantSource>;

export const ImatrixFile = z.object({
  path: z.string(),
  name: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Computed by the app for this model (from which text), or chosen by the user earlier. */
  text: EvalTextId.nullable(),
  createdAt: z.number().nullable(),
});
export type ImatrixFile = z.infer<typeof ImatrixFile>;

/** Everything "Make a smaller version" shows before anything runs. */
export const QuantPlan = z.object({
  source: QuantSource,
  types: z.array(QuantOption),
  /** Where the results go, and its free space (null when the OS does not say). */
  modelsDir: z.string(),
  freeDiskBytes: z.number().nonnegative().nullable(),
  /** Importance matrices the app computed for this model before (reused instead of computing again). */
  imatrixFiles: z.array(ImatrixFile),
  texts: z.array(EvalText),
  /** The llama.cpp build the tools come from (commit / runtime id). */
  llamaBuild: z.string(),
});
export type QuantPlan = z.infer<typeof QuantPlan>;

export const ImatrixChoice = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  /** Compute one with llama-imatrix on a bundled calibration text (once per model + text; reused after). */
  z.strictObject({ mode: z.literal('compute'), text: EvalTextId }),
  /** An existing imatrix file (.dat or .gguf). */
  z.strictObject({ mode: z.literal('file'), path: UserPath }),
]);
export type ImatrixChoice = z.infer<typeof ImatrixChoice>;

export const QuantizeRequest = z.strictObject({
  modelPath: UserPath,
  types: z.array(QuantTypeId).min(1).max(16),
  imatrix: ImatrixChoice.optional(),
  /** Required when the source is already low-bit (QUANT_REQUANTIZE otherwise); the UI warns first. */
  allowRequantize: z.boolean().optional(),
});
export type QuantizeRequest = z.infer<typeof QuantizeRequest>;

export const QualityRequest = z.strictObject({
  modelPath: UserPath,
  text: EvalTextId,
  /** auto: also KL-divergence against the best higher-precision local sibling when there is one. */
  kld: z.enum(['auto', 'off']).optional(),
  /** Measure again although a cached result exists (otherwise the cached result is the answer). */
  force: z.boolean().optional(),
});
export type QualityRequest = z.infer<typeof QualityRequest>;

export const KldResult = z.object({
  /** The higher-precision sibling the logits were compared with. */
  basePath: z.string(),
  baseSha256: z.string(),
  baseType: z.string().nullable(),
  basePpl: z.number().nullable(),
  meanKld: z.number(),
  meanKldStdErr: z.number().nullable(),
  /** "Same top token": how often both models rank the same token first, in %. */
  sameTopPct: z.number(),
  /** PPL(this) / PPL(base). */
  pplRatio: z.number(),
});
export type KldResult = z.infer<typeof KldResult>;

export const QualityResult = z.object({
  /** The cache key: file sha256 + text + settings (+ base sha256 with KL-divergence). */
  key: z.string(),
  modelPath: z.string(),
  modelSha256: z.string(),
  modelType: z.string().nullable(),
  text: EvalTextId,
  textSha256: z.string(),
  contextSize: z.number().int().positive(),
  chunks: z.number().int().positive(),
  ppl: z.number(),
  pplStdErr: z.number().nullable(),
  kld: KldResult.nullable(),
  measuredAt: z.number(),
  seconds: z.number().nonnegative(),
  llamaBuild: z.string(),
});
export type QualityResult = z.infer<typeof QualityResult>;

export const WorkKind = z.enum(['quantize', 'imatrix', 'quality']);
export type WorkKind = z.infer<typeof WorkKind>;

/** interrupted: it was running or queued when the app stopped (shown, not restarted by itself). */
export const WorkState = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']);
export type WorkState = z.infer<typeof WorkState>;

export const WorkPhase = z.enum([
  'waiting',
  'checking',
  'imatrix',
  'quantize',
  'installing',
  'hashing',
  'kld-base',
  'perplexity',
  'kld',
  'finished',
]);
export type WorkPhase = z.infer<typeof WorkPhase>;

export const WorkJob = z.object({
  id: z.string(),
  kind: WorkKind,
  state: WorkState,
  phase: WorkPhase,
  createdAt: z.number(),
  updatedAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** The source model (quantize, imatrix) or the model checked (quality). */
  modelPath: z.string(),
  modelName: z.string(),
  /** quantize: the target type; imatrix and quality: the text id. */
  target: z.string(),
  /** A job that must finish first (a quantize waiting for the importance matrix it uses). */
  after: z.string().nullable(),
  /** Units of the current phase: tensors (quantize), chunks (imatrix, perplexity, KL-divergence). */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** 0..1 over the whole job. */
  progress: z.number().min(0).max(1),
  /** Units per second in the current phase, and its unit; null until known. */
  speed: z.object({ value: z.number().nonnegative(), unit: z.enum(['tensors', 'chunks', 'bytes']) }).nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** quantize: the installed model; imatrix: the matrix file. */
  outputPath: z.string().nullable(),
  libraryId: z.string().nullable(),
  /** quality: the result (also kept in the results cache). */
  result: QualityResult.nullable(),
  /** quality: answered from the cache without running anything. */
  cached: z.boolean(),
  warnings: z.array(QuantWarning),
  error: ErrorInfo.nullable(),
});
export type WorkJob = z.infer<typeof WorkJob>;

/** One quantization of a model in the comparison: installed, downloadable from the same repo, or makeable here. */
export const QuantRow = z.object({
  quant: z.string(),
  bitsPerWeight: z.number().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  availability: z.enum(['installed', 'download', 'make']),
  /** installed: the library entry. */
  libraryId: z.string().nullable(),
  path: z.string().nullable(),
  /** download: what downloads.start takes. */
  download: DownloadRequest.nullable(),
  /** make: the installed source it would be made from. */
  makeFrom: z.string().nullable(),
  /** This file is what the backend runs now. */
  running: z.boolean(),
  fit: FitMode.nullable(),
  fitReason: FitReason.nullable(),
  /** Generation tok/s: measured by auto-tune (the model's profile) or estimated by the fit planner. */
  tgTps: z.number().nullable(),
  tgSource: z.enum(['measured', 'estimate']).nullable(),
  /** Quality on the comparison's text; null when not measured. */
  quality: QualityResult.nullable(),
  /** vs the comparison's reference: PPL ratio (from KL-divergence runs or the two PPLs), KLD, same-top %. */
  pplRatio: z.number().nullable(),
  meanKld: z.number().nullable(),
  sameTopPct: z.number().nullable(),
  provenance: Provenance.nullable(),
});
export type QuantRow = z.infer<typeof QuantRow>;

/** The one recommendation line, as data (the UI words it in the user's language). */
export const QuantRecommendation = z.object({
  quant: z.string(),
  /** The reference it is compared with (the best local sibling). */
  versus: z.string().nullable(),
  /** Perplexity higher than the reference's, in % (null when not measured). */
  pplDeltaPct: z.number().nullable(),
  /** Generation speed vs the reference (× faster), null when unknown. */
  speedup: z.number().nullable(),
  fit: FitMode.nullable(),
  /** Why this one: the best measured quality that fits fully on the GPU, else the fastest that fits, … */
  why: z.enum(['best-quality-fits-gpu', 'fits-gpu', 'fits-partial', 'only-fitting', 'unmeasured']),
});
export type QuantRecommendation = z.infer<typeof QuantRecommendation>;

export const QuantComparison = z.object({
  modelPath: z.string(),
  name: z.string(),
  text: EvalTextId,
  /** The best local higher-precision sibling (F16/BF16/Q8_0), null when none is installed. */
  reference: z.object({ quant: z.string(), path: z.string() }).nullable(),
  rows: z.array(QuantRow),
  recommendation: QuantRecommendation.nullable(),
  /** The catalog entry or repo the downloadable rows come from. */
  catalogId: z.string().nullable(),
  repo: z.string().nullable(),
});
export type QuantComparison = z.infer<typeof QuantComparison>;
