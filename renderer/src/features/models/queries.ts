/**
 * Server state for the catalog, the fit planner, hubs, downloads and the library. Lists are fetched once and then
 * kept live by `downloads.progress` and `library.changed` (see useLiveModels, mounted once at the root).
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ContractClient } from '@shared/contract';
import type { DownloadJob, DownloadRequest, LibraryModel } from '@shared/models';
import type { BackendStatus, LoadOptions } from '@shared/schemas';
import { useClient, useConnection } from '../../api/context';
import { keys, newerStatus } from '../../api/queries';

export const modelKeys = {
  catalog: ['models.catalog'] as const,
  fit: ['models.fit'] as const,
  library: ['models.library'] as const,
  downloads: ['downloads.list'] as const,
  probe: ['hub.probe'] as const,
  repo: (ref: string) => ['models.openRepo', ref] as const,
  remote: (ref: string, file: string) => ['models.inspectRemote', ref, file] as const,
};

export function useCatalog() {
  const client = useClient();
  return useQuery({
    queryKey: modelKeys.catalog,
    queryFn: () => client.call('models.catalog', {}),
    staleTime: Infinity,
    retry: false,
  });
}

/** Plans depend on free memory, which changes when a model loads: refetched on mount after 30 s. */
export function useFitReport() {
  const client = useClient();
  return useQuery({
    queryKey: modelKeys.fit,
    queryFn: () => client.call('models.fit', {}),
    staleTime: 30_000,
    retry: false,
  });
}

export function useLibrary() {
  const client = useClient();
  return useQuery({
    queryKey: modelKeys.library,
    queryFn: () => client.call('models.library', {}),
    staleTime: Infinity,
  });
}

/** The newest snapshot of each job wins, whether it came from a fetch or an event. */
export function mergeJobs(current: DownloadJob[], incoming: DownloadJob[]): DownloadJob[] {
  const byId = new Map(current.map((j) => [j.id, j]));
  for (const j of incoming) {
    const old = byId.get(j.id);
    if (!old || old.updatedAt <= j.updatedAt) byId.set(j.id, j);
  }
  return [...byId.values()].sort((a, b) => b.createdAt - a.createdAt);
}

const downloadsQuery = (client: ContractClient, qc: QueryClient) => ({
  queryKey: modelKeys.downloads,
  queryFn: async () => {
    const list = await client.call('downloads.list', {});
    // Events that arrived while the list was in flight may be newer; jobs missing from the list were removed.
    const ids = new Set(list.map((j) => j.id));
    const cached = (qc.getQueryData<DownloadJob[]>(modelKeys.downloads) ?? []).filter((j) => ids.has(j.id));
    return mergeJobs(cached, list);
  },
  staleTime: Infinity,
});

export function useDownloads() {
  const client = useClient();
  const qc = useQueryClient();
  return useQuery(downloadsQuery(client, qc));
}

export const ACTIVE_STATES: ReadonlySet<DownloadJob['state']> = new Set(['queued', 'downloading', 'verifying']);

export function upsertJob(qc: QueryClient, job: DownloadJob) {
  qc.setQueryData<DownloadJob[]>(modelKeys.downloads, (old) => mergeJobs(old ?? [], [job]));
}

export function useStartDownload() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (req: DownloadRequest) => client.call('downloads.start', req),
    onSuccess: (job) => upsertJob(qc, job),
  });
}

type JobAction = 'downloads.pause' | 'downloads.resume' | 'downloads.cancel';

export function useJobAction(action: JobAction) {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call(action, { id }),
    onSuccess: (job) => upsertJob(qc, job),
  });
}

export function useRemoveJob() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('downloads.remove', { id }),
    onSuccess: (_r, id) =>
      qc.setQueryData<DownloadJob[]>(modelKeys.downloads, (old) => (old ?? []).filter((j) => j.id !== id)),
  });
}

export function useHubProbe(enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: modelKeys.probe,
    queryFn: () => client.call('hub.probe', {}),
    staleTime: 60_000,
    retry: false,
    enabled,
  });
}

export function useDeleteModel() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('models.delete', { id }),
    onSuccess: (_r, id) =>
      qc.setQueryData<LibraryModel[]>(modelKeys.library, (old) => (old ?? []).filter((m) => m.id !== id)),
  });
}

export function useImportModel() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { path: string; mode: 'copy' | 'reference' }) => client.call('models.import', v),
    onSuccess: (m) =>
      qc.setQueryData<LibraryModel[]>(modelKeys.library, (old) => [...(old ?? []).filter((x) => x.id !== m.id), m]),
  });
}

/** Starts the backend on a file; the status goes into the cache like the Model page's Start does. */
export function useStartBackend() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { modelPath: string; options?: Partial<LoadOptions> }) => client.call('backend.start', v),
    onSuccess: (s) => {
      qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s));
      void qc.invalidateQueries({ queryKey: keys.settings });
    },
  });
}

/** Mounted once at the root: download progress and library changes into the cache. */
export function useLiveModels() {
  const connection = useConnection();
  const qc = useQueryClient();
  // Observed from the root so the badge and every page share one list kept live by events.
  useQuery({ ...downloadsQuery(connection.client, qc), notifyOnChangeProps: [] });
  useEffect(() => {
    const offProgress = connection.client.on('downloads.progress', (job) => {
      upsertJob(qc, job);
      // A finished download changes what fits on disk and what the library holds.
      if (job.state === 'completed') void qc.invalidateQueries({ queryKey: modelKeys.library });
    });
    const offLibrary = connection.client.on('library.changed', (list) =>
      qc.setQueryData<LibraryModel[]>(modelKeys.library, list),
    );
    const offRemoved = connection.client.on('downloads.removed', ({ id }) =>
      qc.setQueryData<DownloadJob[]>(modelKeys.downloads, (old) => old?.filter((j) => j.id !== id)),
    );
    return () => {
      offRemoved();
      offProgress();
      offLibrary();
    };
  }, [connection, qc]);
}
