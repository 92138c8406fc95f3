/**
 * Does an installed model fit this machine with the load options the UI would use? The fit planner's answer for
 * the model's own header (its architecture facts and tensor sizes) at the context it would load with. A split
 * model's later shards are not read: its weights are taken from the first shard's tensor table (llama-server's
 * own --fit still guards the real load).
 */
import { fitReasonMessages, type HardwareInput, type FitPlan } from '../../shared/models';
import type { LoadOptions } from '../../shared/schemas';
import { planFit } from '../models/fit';
import { readGgufFile } from '../models/gguf';
import { factsFromGguf, weightsFromTensors } from '../models/model-facts';

export type FitAnswer = { fits: true } | { fits: false; reason: string };

/** The context a load would use: the option, or the model's own (0 = the model's), at least 512. */
export function loadContext(options: Pick<LoadOptions, 'contextSize'>, modelContext: number | null): number {
  const own = modelContext && modelContext > 0 ? modelContext : 4096;
  return Math.max(512, options.contextSize > 0 ? Math.min(options.contextSize, own) : own);
}

/** The planner's verdict in English (the error's reason), from its reason code. */
export function reasonText(plan: FitPlan): string {
  const tpl = fitReasonMessages.en[plan.reason.code] ?? plan.reason.code;
  return tpl.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(plan.reason.params[k] ?? '…'));
}

/** Reads the model's header and plans it. */
export async function checkFit(
  model: { path: string; sizeBytes: number; contextLength: number | null },
  options: LoadOptions,
  hardware: HardwareInput,
): Promise<FitAnswer> {
  const h = await readGgufFile(model.path);
  const facts = factsFromGguf(h);
  const weights = weightsFromTensors(h.tensors, facts.blockCount, model.sizeBytes);
  const kv = options.cacheTypeK === 'bf16' ? 'f16' : options.cacheTypeK;
  const plan = planFit(
    facts,
    { quant: 'file', bitsPerWeight: 0, dynamic: false, weights },
    hardware,
    loadContext(options, model.contextLength),
    kv,
  );
  return plan.mode === 'none' ? { fits: false, reason: reasonText(plan) } : { fits: true };
}
