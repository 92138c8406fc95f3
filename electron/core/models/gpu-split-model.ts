/**
 * The GPU planner's model facts from a local GGUF (all shards): architecture and exact tensor bytes per layer. The
 * I/O half of gpu-split.ts; remembered per file size + mtime, since the Model page asks for a plan on every change
 * of an option.
 */
import fs from 'node:fs/promises';
import { GgufError, readGgufFile, type GgufHeader } from './gguf';
import type { SplitModel } from './gpu-split';
import { ggufErrorToApp, inspectModel, splitShardPaths } from './inspect';
import { factsFromGguf, weightsFromTensors } from './model-facts';

const cache = new Map<string, { stamp: string; model: SplitModel }>();
const MAX_CACHED = 8;

export async function readSplitModel(file: string): Promise<SplitModel> {
  // Missing, not a file, not GGUF, a shard missing: inspectModel's translated errors.
  const info = await inspectModel(file);
  const st = await fs.stat(info.path);
  const stamp = `${info.sizeBytes}:${st.mtimeMs}`;
  const hit = cache.get(info.path);
  if (hit?.stamp === stamp) return hit.model;
  const headers: GgufHeader[] = [];
  for (const shard of splitShardPaths(info.path) ?? [info.path]) {
    headers.push(
      await readGgufFile(shard).catch((e: unknown) => {
        throw e instanceof GgufError ? ggufErrorToApp(shard, e) : e;
      }),
    );
  }
  const tensors = headers.flatMap((h) => h.tensors);
  const facts = factsFromGguf(
    { metadata: headers[0]!.metadata, tensors },
    tensors.map((t) => t.name),
  );
  const model = { facts, weights: weightsFromTensors(tensors, facts.blockCount, info.sizeBytes) };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(info.path, { stamp, model });
  return model;
}
