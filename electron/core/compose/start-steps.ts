/**
 * What `backend.start` does to the user's options before the backend runs them, one step per feature, in order:
 * the model's saved profile (tuning), the draft model's checks (speculative decoding), the GPU plan (several GPUs).
 * A step returns the options to run (possibly adjusted) or throws a translated AppError, before anything starts.
 * The supervision's restarts reuse the options these steps produced; they do not run again.
 */
import type { LoadOptions, ModelFileInfo } from '../../shared/schemas';

export interface StartInput {
  model: ModelFileInfo;
  /** settings.loadOptions merged with what the caller passed. */
  options: LoadOptions;
  /** The fields the caller passed explicitly (a step must not override those). */
  explicit: Partial<LoadOptions>;
}

export type StartStep = (input: StartInput) => Promise<LoadOptions>;

export async function runStartSteps(steps: readonly StartStep[], input: StartInput): Promise<LoadOptions> {
  let options = input.options;
  for (const step of steps) options = await step({ ...input, options });
  return options;
}
