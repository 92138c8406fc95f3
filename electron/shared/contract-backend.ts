/** Contract methods of the self-healing, self-tuning backend: retry, the GPU plan, auto-tune and model profiles. */
import { z } from 'zod';
import { BackendStatus, LoadOptions, patchOf, UserPath } from './schemas';
import { GpuSplitPlan, ModelProfile, ProfileAnswer, TuneJob, TuneMode } from './tuning';

const empty = z.strictObject({});
const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const backendMethods = {
  /** After the supervision gave up ("crashed" with a reason): start the same model with the same options again. */
  'backend.retry': method(empty, BackendStatus),
  /** The per-GPU plan for loading `modelPath` with these options (merged over the saved ones), before loading. */
  'backend.plan': method(
    z.strictObject({ modelPath: UserPath, options: patchOf(LoadOptions).optional() }),
    GpuSplitPlan,
  ),
  /** "Benchmark this model": llama-bench over the grid that matters here; one job at a time (TUNE_BUSY). */
  'tune.start': method(z.strictObject({ modelPath: UserPath, mode: TuneMode.optional() }), TuneJob),
  /** The running or last job; null before the first. */
  'tune.status': method(empty, TuneJob.nullable()),
  /** Cancels the running job: nothing is saved. */
  'tune.cancel': method(empty, TuneJob.nullable()),
  /** The model's saved default load options on this machine (or why the saved ones no longer apply). */
  'profiles.get': method(z.strictObject({ modelPath: UserPath }), ProfileAnswer),
  /** Saves options as the model's defaults on this machine ("keep these settings" after recovery, or by hand). */
  'profiles.save': method(
    z.strictObject({
      modelPath: UserPath,
      options: patchOf(LoadOptions),
      source: z.enum(['recovered', 'user']),
    }),
    ModelProfile,
  ),
  'profiles.clear': method(z.strictObject({ modelPath: UserPath }), z.object({ cleared: z.boolean() })),
} as const;

export const backendEvents = {
  /** Each step of a tune job (progress, a row measured, the end). */
  'tune.progress': TuneJob,
} as const;
