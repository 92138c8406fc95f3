import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ModelFileInfo } from '../../shared/schemas';
import { fileTypeLabel } from './ggml-types';
import { isNotRegular } from '../util/regular-file';
import { nextnLayersOf } from './draft-check';
import { GgufError, metaNumber, metaString, readGgufFile, type GgufHeader } from './gguf';

const SPLIT_RE = /^(.*)-(\d{5})-of-(\d{5})(\.gguf)$/i;

/** `name-00001-of-00003.gguf` → the paths of all shards; null for a single file. */
export function splitShardPaths(file: string): string[] | null {
  const m = SPLIT_RE.exec(path.basename(file));
  if (!m) return null;
  const total = Number(m[3]);
  if (total < 1) return null;
  const dir = path.dirname(file);
  return Array.from({ length: total }, (_, i) =>
    path.join(dir, `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}${m[4]}`),
  );
}

export function ggufErrorToApp(file: string, e: GgufError): AppError {
  switch (e.kind) {
    case 'not-gguf':
      return new AppError('MODEL_NOT_GGUF', { path: file }, e.message);
    case 'truncated':
      return new AppError('MODEL_TRUNCATED', { path: file, reason: e.message }, e.message);
    default:
      return new AppError('MODEL_CORRUPT', { path: file, reason: e.message }, e.message);
  }
}

async function statFile(file: string) {
  try {
    return await fs.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AppError('MODEL_NOT_FOUND', { path: file }, `${code ?? ''} ${(e as Error).message}`.trim());
  }
}

export function summarize(file: string, size: number, h: GgufHeader, splitCount: number): ModelFileInfo {
  const arch = metaString(h, 'general.architecture') ?? 'unknown';
  const params = h.tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
  const nextn = nextnLayersOf(h);
  return {
    path: file,
    name: metaString(h, 'general.name') ?? path.basename(file).replace(/\.gguf$/i, ''),
    sizeBytes: size,
    architecture: arch,
    quantization: fileTypeLabel(metaNumber(h, 'general.file_type')),
    contextLength: metaNumber(h, `${arch}.context_length`),
    parameterCount: params > 0 ? params : null,
    tensorCount: h.tensors.length,
    ggufVersion: h.version,
    splitCount,
    ...(nextn > 0 ? { nextnLayers: nextn } : {}),
  };
}

/** Reads and validates a model file (all shards of a split model) without loading it. */
export async function inspectModel(file: string): Promise<ModelFileInfo> {
  const abs = path.resolve(file);
  const st = await statFile(abs);
  // A pipe or device would block the reader (see util/regular-file.ts); readGgufFile checks again on the descriptor.
  if (!st.isFile()) throw new AppError('MODEL_NOT_FILE', { path: abs });
  const shards = splitShardPaths(abs) ?? [abs];
  let total = 0;
  const headers: GgufHeader[] = [];
  for (const shard of shards) {
    const s =
      shard === abs
        ? st
        : await statFile(shard).catch(() => {
            throw new AppError('MODEL_TRUNCATED', { path: abs, reason: `missing shard ${path.basename(shard)}` });
          });
    let h: GgufHeader;
    try {
      h = await readGgufFile(shard);
    } catch (e) {
      if (e instanceof GgufError) throw ggufErrorToApp(shard, e);
      if (isNotRegular(e)) throw new AppError('MODEL_NOT_FILE', { path: shard }, e.message);
      throw new AppError('MODEL_NOT_FOUND', { path: shard }, (e as Error).message);
    }
    total += s.size;
    headers.push(h);
  }
  const first = headers[0];
  if (!first) throw new AppError('MODEL_NOT_GGUF', { path: abs });
  const declared = metaNumber(first, 'split.count');
  if (declared !== null && declared > 1 && shards.length !== declared) {
    throw new AppError('MODEL_TRUNCATED', {
      path: abs,
      reason: `split.count is ${declared} but ${shards.length} shard(s) were found`,
    });
  }
  // Each shard holds part of the tensors; the model is all of them.
  return summarize(abs, total, { ...first, tensors: headers.flatMap((x) => x.tensors) }, shards.length);
}
