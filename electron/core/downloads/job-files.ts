/**
 * The files of a download job on disk: how far each got (per its sidecar), and the partial files, sidecars and
 * folders they leave under <models>/.incomplete/, which go when the job is cancelled or its files move in.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { removeStaleTemps } from '../util/atomic-write';
import type { FileSpec } from './job-store';
import { checkStoredPlacement, INCOMPLETE_DIR } from './placement';
import { bytesDone, readSidecar, segmentsOf } from './sidecar';

export const sidecarOf = (f: FileSpec) => `${f.partial}.json`;

/** Bytes of `f` on disk per its sidecar (0 without a usable one). */
export async function bytesOnDisk(f: FileSpec): Promise<number> {
  const sc = await readSidecar(sidecarOf(f), { sha256: f.sha256, size: f.sizeBytes });
  return sc ? bytesDone(segmentsOf(f.sizeBytes, sc.segmentBytes, sc)) : 0;
}

/** Deletes a file's partial and sidecar (with the sidecar temp files a killed run left: they would keep the folder). */
export async function removePartial(f: FileSpec): Promise<void> {
  await fs.rm(f.partial, { force: true });
  await fs.rm(sidecarOf(f), { force: true });
  await removeStaleTemps(sidecarOf(f));
}

/** Moves a verified file into the models folder (checked again: folders may have changed since it was planned). */
export async function moveIn(repo: string, f: FileSpec): Promise<void> {
  await checkStoredPlacement(repo, f.path, f);
  await fs.mkdir(path.dirname(f.target), { recursive: true });
  await fs.rename(f.partial, f.target);
  await fs.rm(sidecarOf(f), { force: true });
  await removeStaleTemps(sidecarOf(f));
}

/** Removes the job's folders under .incomplete that are empty now. */
export async function pruneIncomplete(files: readonly FileSpec[], modelsDir: string): Promise<void> {
  await pruneEmptyDirs(path.dirname(files[0]!.partial), path.join(modelsDir, INCOMPLETE_DIR));
}

/** Removes empty folders from `dir` up to (not including) `stop`. */
async function pruneEmptyDirs(dir: string, stop: string): Promise<void> {
  let d = path.resolve(dir);
  const s = path.resolve(stop);
  while (d.startsWith(s + path.sep)) {
    try {
      await fs.rmdir(d);
    } catch {
      return;
    }
    d = path.dirname(d);
  }
}

export async function isFile(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}
