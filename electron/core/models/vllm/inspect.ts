/**
 * Reading a local vLLM-format checkpoint (a Hugging Face snapshot folder): config.json, the shard index or the
 * *.safetensors files, their sizes and headers. The folder is whatever the user pointed at or a hub delivered, so
 * reads are bounded, JSON is parsed under a guard, shard names from the index must stay inside the folder, and every
 * failure is VLLM_BAD_MODEL with the reason.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { VllmModel } from '../../../shared/backends';
import { AppError } from '../../../shared/errors';
import { readRegularText } from '../../util/regular-file';
import { printable, unsafeRelativePath } from '../../util/safe-path';
import { parseVllmConfig, type VllmConfigFacts } from './config';
import { countHeaderParams, readSafetensorsHeader } from './safetensors';

const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_INDEX_BYTES = 32 * 1024 * 1024;
/** More shards than any real checkpoint has (DeepSeek-V3 has 163). */
const MAX_SHARDS = 4096;
/** Headers read for the parameter count; beyond this the count is left out (null). */
const MAX_HEADER_READS = 256;

const bad = (folder: string, reason: string) => new AppError('VLLM_BAD_MODEL', { path: folder, reason });

async function readJson(folder: string, file: string, max: number): Promise<unknown> {
  let text: string;
  try {
    text = await readRegularText(path.join(folder, file), max);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw bad(folder, `${file} is missing`);
    if (code === 'EFBIG') throw bad(folder, `${file} is larger than ${max} bytes`);
    throw bad(folder, `${file} cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw bad(folder, `${file} is not valid JSON (${(e as Error).message.slice(0, 120)})`);
  }
}

async function checkFolder(folder: string): Promise<void> {
  const st = await fs.stat(folder).catch(() => null);
  if (!st) throw bad(folder, 'the folder does not exist');
  if (!st.isDirectory()) throw bad(folder, 'it is not a folder');
}

/** config.json → the facts vLLM's fit needs. */
export async function readVllmConfig(folder: string): Promise<VllmConfigFacts> {
  await checkFolder(folder);
  const json = await readJson(folder, 'config.json', MAX_CONFIG_BYTES);
  try {
    return parseVllmConfig(json);
  } catch (e) {
    throw bad(folder, (e as Error).message);
  }
}

/** The shard file names: the index's weight_map values, else the folder's *.safetensors files. */
async function shardNames(folder: string): Promise<string[]> {
  const hasIndex = await fs.stat(path.join(folder, 'model.safetensors.index.json')).then(
    () => true,
    () => false,
  );
  if (hasIndex) {
    const idx = await readJson(folder, 'model.safetensors.index.json', MAX_INDEX_BYTES);
    const map = (idx as { weight_map?: unknown } | null)?.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map))
      throw bad(folder, 'model.safetensors.index.json has no weight_map');
    const names = new Set<string>();
    for (const v of Object.values(map as Record<string, unknown>)) {
      if (typeof v !== 'string') throw bad(folder, 'model.safetensors.index.json names a shard that is not a string');
      const why = unsafeRelativePath(v);
      if (why || !v.endsWith('.safetensors'))
        throw bad(folder, `the index names an unsafe shard "${printable(v, 120)}"${why ? ` (${why})` : ''}`);
      names.add(v);
      if (names.size > MAX_SHARDS) throw bad(folder, `the index names more than ${MAX_SHARDS} shards`);
    }
    return [...names].sort();
  }
  const entries = await fs.readdir(folder, { withFileTypes: true });
  const names = entries.filter((e) => e.isFile() && e.name.endsWith('.safetensors')).map((e) => e.name);
  if (names.length > MAX_SHARDS) throw bad(folder, `more than ${MAX_SHARDS} safetensors files`);
  return names.sort();
}

const R1_FAMILY = /deepseek[-_.]?r1|r1[-_]distill/i;

/** Reads a snapshot folder without loading it; VLLM_BAD_MODEL when it is not one vLLM can serve. */
export async function inspectVllmModel(folder: string): Promise<VllmModel> {
  const abs = path.resolve(folder);
  const facts = await readVllmConfig(abs);
  const raw = (await readJson(abs, 'config.json', MAX_CONFIG_BYTES)) as Record<string, unknown>;
  if (!facts.architecture) throw bad(abs, 'config.json names no architectures');
  const shards = await shardNames(abs);
  if (!shards.length) throw bad(abs, 'there are no *.safetensors weights');
  let sizeBytes = 0;
  for (const s of shards) {
    const st = await fs.stat(path.join(abs, s)).catch(() => null);
    if (!st) throw bad(abs, `shard ${printable(s, 120)} is missing`);
    if (!st.isFile()) throw bad(abs, `shard ${printable(s, 120)} is not a file`);
    sizeBytes += st.size;
  }
  const parameterCount = await countParams(abs, shards, facts.quantBits);
  const name = path.basename(abs);
  const origin = typeof raw._name_or_path === 'string' ? raw._name_or_path.slice(0, 300) : '';
  return {
    path: abs,
    name,
    architecture: facts.architecture,
    quantization: facts.quantMethod,
    dtype: facts.dtype,
    sizeBytes,
    shards: shards.length,
    contextLength: facts.maxPositionEmbeddings,
    parameterCount,
    reasoning: R1_FAMILY.test(name) || R1_FAMILY.test(origin),
  };
}

/** Σ parameters over the shard headers; null when there are too many shards or a header does not read. */
async function countParams(folder: string, shards: string[], bits: number | null): Promise<number | null> {
  if (shards.length > MAX_HEADER_READS) return null;
  let total = 0;
  for (const s of shards) {
    const header = await readSafetensorsHeader(path.join(folder, s)).catch(() => null);
    const n = header === null ? null : countHeaderParams(header, bits);
    if (n === null) return null;
    total += n;
  }
  return total;
}
