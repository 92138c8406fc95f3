/**
 * vLLM snapshot folders in the library: a folder of the models folder holding config.json and *.safetensors is one
 * model (format 'safetensors', path = the folder), read with inspectVllmModel; one that does not read is listed with
 * its error, like a damaged GGUF.
 */
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { toErrorInfo } from '../../../shared/errors';
import type { LibraryModel } from '../../../shared/models';
import type { VllmModel } from '../../../shared/backends';
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
