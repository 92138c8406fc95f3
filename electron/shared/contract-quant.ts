/**
 * The quantization part of the contract (issue 14): make smaller versions with the bundled llama-quantize (and
 * llama-imatrix), check quality with llama-perplexity (perplexity and KL-divergence), compare and switch. Spread
 * into `methods` and `events` in contract.ts.
 */
import { z } from 'zod';
import {
  EvalText,
  EvalTextId,
  QualityRequest,
  QualityResult,
  QuantComparison,
  QuantizeRequest,
  QuantPlan,
  QuantType,
  WorkJob,
} from './quant';
import { BackendStatus, UserPath } from './schemas';

const empty = z.strictObject({});
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });
const jobId = z.strictObject({ id: z.string().min(1).max(100) });

export const quantMethods = {
  /** The types the active runtime's llama-quantize accepts (its own usage text, read once per binary). */
  'quant.types': method(empty, z.array(QuantType)),
  /** "Make a smaller version" before anything runs: each type's expected size and fit here, disk space, imatrices. */
  'quant.plan': method(z.strictObject({ modelPath: UserPath }), QuantPlan),
  /**
   * Queues one quantize job per type (and one imatrix job first when asked to compute one); checks everything that
   * can be checked first (tool, source, types, imatrix, disk space). Progress arrives as `work.progress`.
   */
  'quant.start': method(QuantizeRequest, z.array(WorkJob)),
  /** Queues a quality check; with a cached result (and no `force`) the job is already completed, `cached: true`. */
  'quality.start': method(QualityRequest, WorkJob),
  /** Cached quality results, of one model (by its current file) or all. */
  'quality.results': method(z.strictObject({ modelPath: UserPath.optional() }), z.array(QualityResult)),
  /** The bundled evaluation / calibration texts. */
  'quality.texts': method(empty, z.array(EvalText)),
  /** Every quantization of a model side by side: installed, downloadable from the same repo, makeable here. */
  'quant.compare': method(z.strictObject({ modelPath: UserPath, text: EvalTextId.optional() }), QuantComparison),
  /** Jobs of the work queue (kept across restarts; the newest first). */
  'work.list': method(empty, z.array(WorkJob)),
  /** Cancels a queued or running job: kills its process and removes its partial file. */
  'work.cancel': method(jobId, WorkJob),
  /** Forgets a finished, failed, cancelled or interrupted job. */
  'work.remove': method(jobId, z.object({ removed: z.boolean() })),
  /**
   * Switches the running backend to another model file with the load options it runs with now (the open chat
   * continues with the new model). MODEL_NOT_LOADED when nothing runs.
   */
  'backend.switchModel': method(z.strictObject({ modelPath: UserPath }), BackendStatus),
} as const;

export const quantEvents = {
  /** A job's snapshot: at every state change, and at most every 250 ms while it runs. */
  'work.progress': WorkJob,
  /** A job left the list (work.remove). */
  'work.removed': z.object({ id: z.string() }),
} as const;
