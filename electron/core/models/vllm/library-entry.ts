/**
 * vLLM snapshot folders in the library: a folder of the models folder holding config.json and *.safetensors is one
 * model (format 'safetensors', path = the folder), read with inspectVllmModel; one that does not read is listed with
 * its error, like a damaged GGUF.
 */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, toErrorInfo } from '../../../shared/errors';
import type { LibraryModel } from '../../../shared/models';
import type { VllmModel } from '../../../shared/backends';
import { isSnapshotFile } from '../../downloads/snapshot';
import { inspectVllmModel } from './inspect';

/** Pure: a folder whose entries make a snapshot (config.json and at least one *.safetensors file). */
export function isSnapshotListing(entries: Pick<Dirent, 'name' | 'isFile'>[]): boolean {
  return (
    entries.some((e) => e.isFile() && e.name === 'config.json') &&
    entries.some((e) => e.isFile() && /\.safetensors$/i.test(e.name))
  );
}

export interface SnapshotMeta {
  repo: string | null;
  catalogId: string | null;
  addedAt: number | null;
}

export function snapshotEntry(
  folder: string,
  id: string,
  model: VllmModel | null,
  err: unknown,
  meta: SnapshotMeta,
): LibraryModel {
  return {
    id,
    path: folder,
    name: model?.name ?? path.basename(folder),
    architecture: model?.architecture ?? null,
    quantization: model?.quantization ?? null,
    sizeBytes: model?.sizeBytes ?? 0,
    contextLength: model?.contextLength ?? null,
    parameterCount: model?.parameterCount ?? null,
    splitCount: model?.shards ?? 0,
    source: 'models-folder',
    repo: meta.repo,
    sha256: null,
    catalogId: meta.catalogId,
    addedAt: meta.addedAt,
    error: err ? toErrorInfo(err) : null,
    provenance: null,
    format: 'safetensors',
  };
}

export async function readSnapshotEntry(folder: string, id: string, meta: SnapshotMeta): Promise<LibraryModel> {
  try {
    return snapshotEntry(folder, id, await inspectVllmModel(folder), null, meta);
  } catch (e) {
    return snapshotEntry(folder, id, null, e, meta);
  }
}

/**
 * Deletes a snapshot folder of the models folder (library id = its path there). The caller checked that the id names
 * a place inside the models folder; here: it must still be a snapshot (config.json + shards) and really inside
 * (`inside`: symlinks resolved). Returns false when it is not a snapshot folder (the caller goes on as for a GGUF).
 */
export async function deleteSnapshotFolder(
  abs: string,
  inside: (dir: string) => Promise<boolean>,
  inUse: (p: string) => boolean,
): Promise<boolean> {
  const entries = await fs.readdir(abs, { withFileTypes: true }).catch(() => null);
  if (!entries || !isSnapshotListing(entries)) return false;
  if (!(await inside(abs))) throw new AppError('MODEL_NOT_FOUND', { path: abs });
  if (inUse(abs)) throw new AppError('MODEL_IN_USE', { path: abs });
  // The snapshot's own files (and a hub repo's metadata), nothing else: a folder the user filled may also hold other
  // models or files below it, which the library does not list (its scan stops at a snapshot folder). The folder
  // goes only when that left it empty.
  for (const e of entries)
    if (e.isFile() && (isSnapshotFile(e.name) || HUB_METADATA.has(e.name)))
      await fs.rm(path.join(abs, e.name), { force: true });
  await fs.rmdir(abs).catch(() => undefined);
  return true;
}

/** Files a Hugging Face repo carries beside the model (removed with a snapshot). */
const HUB_METADATA = new Set([
  'README.md',
  'LICENSE',
  'LICENSE.txt',
  'LICENSE.md',
  'NOTICE',
  'USE_POLICY.md',
  '.gitattributes',
]);
