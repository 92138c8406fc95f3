/**
 * What the comparison reads from disk (issue 14 §3): a model file's header (all shards' tensors), its plan on this
 * machine at the context the user loads with (the planner as api/jit-fit.ts uses it, tensors scaled for a version
 * of another size), and auto-tune's measured generation speed when the profile still matches the file. The
 * decisions are in compare.ts / compare-recommend.ts / compare-switch.ts.
 */
import type { ArchFacts, HardwareInput, KvType } from '../../shared/models';
import type { ModelFileInfo } from '../../shared/schemas';
import { modelFingerprint } from '../models/fingerprint';
import { planFit } from '../models/fit';
import { readGgufFile, type GgufHeader, type GgufTensorInfo } from '../models/gguf';
import { inspectModel, splitShardPaths } from '../models/inspect';
import { factsFromGguf, weightsFromTensors } from '../models/model-facts';
import type { ProfileStore } from '../models/profiles';
import type { RowPlan } from './compare';

export interface FileFacts {
  info: ModelFileInfo;
  first: GgufHeader;
  /** Every shard's tensors. */
  tensors: GgufTensorInfo[];
  facts: ArchFacts;
}

/** Reads a model's header (every shard's tensor table); throws what inspectModel / readGgufFile throw. */
export async function readFileFacts(file: string): Promise<FileFacts> {
  const info = await inspectModel(file);
  const shards = splitShardPaths(info.path) ?? [info.path];
  const headers: GgufHeader[] = [];
  for (const s of shards) headers.push(await readGgufFile(s));
  const tensors = headers.flatMap((h) => h.tensors);
  const first = headers[0]!;
  return {
    info,
    first,
    tensors,
    facts: factsFromGguf(
      first,
      tensors.map((t) => t.name),
    ),
  };
}

/**
 * The plan of a version of `bytes` on this machine at context `ctx` (the load's, api/jit-fit.ts loadContext): this
 * file's architecture with its tensors scaled to that size (exact for the file itself); null when it cannot be
 * planned.
 */
export function planScaled(ff: FileFacts, bytes: number, hw: HardwareInput, ctx: number, kv: KvType): RowPlan | null {
  if (!(bytes > 0) || !(ff.info.sizeBytes > 0)) return null;
  try {
    const ratio = bytes / ff.info.sizeBytes;
    const scaled = ff.tensors.map((t) => ({ name: t.name, bytes: t.bytes === null ? null : t.bytes * ratio }));
    const weights = weightsFromTensors(scaled, ff.facts.blockCount, bytes);
    const plan = planFit(ff.facts, { quant: 'file', bitsPerWeight: 0, dynamic: false, weights }, hw, ctx, kv);
    return { mode: plan.mode, reason: plan.reason, tokensPerSecond: plan.tokensPerSecond };
  } catch {
    return null;
  }
}

/**
 * Auto-tune's measured generation tok/s for this file: only from a tuned profile whose model fingerprint still
 * matches the file (a replaced file was not measured). The machine's fingerprint is not checked here (that needs the
 * hardware probe); a profile from another machine is replaced by the next tune.
 */
export async function measuredTps(profiles: ProfileStore, file: string): Promise<number | null> {
  try {
    const p = await profiles.read(file);
    if (!p?.tune || !(p.tune.tgTps > 0)) return null;
    return p.modelFingerprint === (await modelFingerprint(file)) ? p.tune.tgTps : null;
  } catch {
    return null;
  }
}
