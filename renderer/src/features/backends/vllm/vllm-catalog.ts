/**
 * Pure matching of the vLLM catalog (models.vllmCatalog) against the library and the downloads: which snapshot is
 * installed, which download belongs to an entry, and the local snapshots the start form offers.
 */
import type { DownloadJob, DownloadRequest, LibraryModel, VllmCatalogEntry } from '@shared/models';

const sameRepo = (a: string | null | undefined, b: string) => !!a && a.toLowerCase() === b.toLowerCase();

/** vLLM snapshot folders in the library that can be read (the start form's list). */
export function snapshotsOf(library: readonly LibraryModel[] | undefined): { path: string; name: string }[] {
  return (library ?? [])
    .filter((m) => m.format === 'safetensors' && !m.error)
    .map((m) => ({ path: m.path, name: m.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The library's snapshot of this entry (by catalog id, else by repo). */
export function installedSnapshot(
  library: readonly LibraryModel[] | undefined,
  e: VllmCatalogEntry,
): LibraryModel | undefined {
  return (library ?? []).find(
    (m) => m.format === 'safetensors' && !m.error && (m.catalogId === e.id || sameRepo(m.repo, e.repo)),
  );
}

/** The newest snapshot download of this entry that is not cancelled. */
export function snapshotJob(jobs: readonly DownloadJob[] | undefined, e: VllmCatalogEntry): DownloadJob | undefined {
  return (jobs ?? [])
    .filter((j) => j.format === 'safetensors' && j.state !== 'cancelled' && sameRepo(j.repo, e.repo))
    .sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** What downloads.start gets for an entry: its repo as a snapshot. */
export const snapshotRequest = (e: VllmCatalogEntry): DownloadRequest => ({ snapshot: e.repo });
