/**
 * quant.plan (issue 14): everything "Make a smaller version" shows before anything runs — the source (type, size,
 * shards), each type the tool offers with its expected size, how it would run here (the fit planner at the default
 * context, as api/jit-fit.ts plans a load) and its warnings, the models folder with its free space, the importance
 * matrices the app computed for this model before, the texts, the build. The I/O around quant-rules.ts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FitMode, FitReason, HardwareInput } from '../../shared/models';
import type { ImatrixFile, QuantOption, QuantPlan, QuantSource, QuantType } from '../../shared/quant';
import type { LoadOptions, ModelFileInfo } from '../../shared/schemas';
import { loadContext } from '../api/jit-fit';
import { statfsFree } from '../downloads/partial-file';
import { planFit } from '../models/fit';
import { readGgufFile, type GgufHeader, type GgufTensorInfo } from '../models/gguf';
import { inspectModel, splitShardPaths } from '../models/inspect';
import { factsFromGguf, weightsFromTensors } from '../models/model-facts';
import { listEvalTexts } from '../quant/quality';
import { estimateQuantBytes } from '../quant/quantize';
import { knownSha256, type QuantEnv } from './quant-env';
import { outputDirOf, parseImatrixFileName, warningsFor, isHighPrecisionType } from './quant-rules';

export interface SourceModel {
  info: ModelFileInfo;
  source: QuantSource;
  /** Every shard's tensors. */
  tensors: GgufTensorInfo[];
  first: GgufHeader;
}

/** Reads and checks the source (MODEL_NOT_FOUND / MODEL_NOT_GGUF / … from inspectModel). */
export async function readSource(modelPath: string): Promise<SourceModel> {
  const info = await inspectModel(modelPath);
  const shards = splitShardPaths(info.path) ?? [info.path];
  const headers: GgufHeader[] = [];
  for (const s of shards) headers.push(await readGgufFile(s));
  const fileType = info.quantization;
  return {
    info,
    source: {
      path: info.path,
      name: info.name,
      fileType,
      sizeBytes: info.sizeBytes,
      splitCount: info.splitCount,
      highPrecision: isHighPrecisionType(fileType),
    },
    tensors: headers.flatMap((h) => h.tensors),
    first: headers[0]!,
  };
}

/** The expected size of each type's result (null when the tool does not say its bits per weight). */
export function expectedBytesOf(src: SourceModel, type: QuantType): number | null {
  return estimateQuantBytes(src.tensors, type, src.first.dataOffset);
}

/** How a result of `bytes` would run here: the source's architecture with its tensors scaled to the result. */
export function fitOf(
  src: SourceModel,
  bytes: number | null,
  hw: HardwareInput,
  options: LoadOptions,
): { fit: FitMode | null; fitReason: FitReason | null } {
  if (bytes === null || src.info.sizeBytes <= 0) return { fit: null, fitReason: null };
  try {
    const facts = factsFromGguf(
      src.first,
      src.tensors.map((t) => t.name),
    );
    const ratio = bytes / src.info.sizeBytes;
    const scaled = src.tensors.map((t) => ({ name: t.name, bytes: t.bytes === null ? null : t.bytes * ratio }));
    const weights = weightsFromTensors(scaled, facts.blockCount, bytes);
    const kv = options.cacheTypeK === 'bf16' ? 'f16' : options.cacheTypeK;
    const plan = planFit(
      facts,
      { quant: 'file', bitsPerWeight: 0, dynamic: false, weights },
      hw,
      loadContext(options, src.info.contextLength),
      kv,
    );
    return { fit: plan.mode, fitReason: plan.reason };
  } catch {
    return { fit: null, fitReason: null };
  }
}

/** Free bytes where `dir` lives (its nearest existing parent); null when the OS does not say. */
export async function freeBytes(dir: string): Promise<number | null> {
  for (let d = path.resolve(dir); ;) {
    const free = await statfsFree(d);
    if (free !== null) return free;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

export const imatrixDir = (dataDir: string) => path.join(dataDir, 'imatrix');

/** The importance matrices the app computed for the model with this sha256. */
export async function imatrixFilesOf(dataDir: string, sha256: string | null): Promise<ImatrixFile[]> {
  if (!sha256) return [];
  const dir = imatrixDir(dataDir);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: ImatrixFile[] = [];
  for (const name of names) {
    const p = parseImatrixFileName(name);
    if (!p || !sha256.startsWith(p.shaPrefix)) continue;
    const st = await fs.stat(path.join(dir, name)).catch(() => null);
    if (!st?.isFile()) continue;
    out.push({ path: path.join(dir, name), name, sizeBytes: st.size, text: p.text, createdAt: st.mtimeMs });
  }
  return out;
}

export async function planQuant(env: QuantEnv, modelPath: string): Promise<QuantPlan> {
  const src = await readSource(modelPath);
  const tools = await env.tools();
  const [types, hw, settings, root] = await Promise.all([
    env.types(),
    env.d.hardware(),
    env.d.settings.get(),
    env.d.modelsDir(),
  ]);
  const options: QuantOption[] = types.map((t) => {
    const expectedBytes = expectedBytesOf(src, t);
    return {
      ...t,
      expectedBytes,
      ...fitOf(src, expectedBytes, hw, settings.loadOptions),
      warnings: warningsFor(t, src.source, expectedBytes),
    };
  });
  const modelsDir = outputDirOf(src.info.path, root);
  return {
    source: src.source,
    types: options,
    modelsDir,
    freeDiskBytes: await freeBytes(modelsDir),
    imatrixFiles: await imatrixFilesOf(env.d.dataDir, await knownSha256(env.hashes, src.info.path)),
    texts: await listEvalTexts(env.d.resourcesDirs),
    llamaBuild: tools.build,
  };
}
