/**
 * Server state for "Make a smaller version" and the work queue. The jobs list is fetched with work.list and then kept
 * live by `work.progress` / `work.removed` (useLiveWork), like downloads: the newest snapshot of a job wins.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ContractClient } from '@shared/contract';
import type { QuantizeRequest, WorkJob } from '@shared/quant';
import { useClient, useConnection } from '../../api/context';
import { modelKeys } from '../models/queries';
import { mergeWork, removeWork } from './work-view';

export const quantKeys = {
  work: ['work.list'] as const,
  plan: (modelPath: string) => ['quant.plan', modelPath] as const,
};

const workQuery = (client: ContractClient, qc: QueryClient) => ({
  queryKey: quantKeys.work,
  queryFn: async () => {
    const list = await client.call('work.list', {});
    // Events that arrived while the list was in flight may be newer; cached jobs missing from it were removed.
    return mergeWork(qc.getQueryData<WorkJob[]>(quantKeys.work) ?? [], list, new Set(list.map((j) => j.id)));
  },
  staleTime: Infinity,
});

export function upsertWork(qc: QueryClient, jobs: WorkJob[]) {
  qc.setQueryData<WorkJob[]>(quantKeys.work, (old) => mergeWork(old ?? [], jobs));
}

/**
 * The work queue, newest state of every job (survives a reload: the list comes from the core). Fetched again each
 * time a list mounts: events are only followed while one is on screen (unless useLiveWork is mounted at the root).
 */
export function useWorkJobs() {
  const client = useClient();
  const qc = useQueryClient();
  return useQuery({ ...workQuery(client, qc), refetchOnMount: 'always' });
}

/**
 * Events into the cache. Mounted by the jobs list (and safe to mount at the root as well: merging the same
 * snapshot twice changes nothing). A finished quantize job changes the library; a finished quality job its results.
 */
export function useLiveWork() {
  const connection = useConnection();
  const qc = useQueryClient();
  useEffect(() => {
    const offProgress = connection.client.on('work.progress', (job) => {
      const before = qc.getQueryData<WorkJob[]>(quantKeys.work)?.find((j) => j.id === job.id);
      upsertWork(qc, [job]);
      if (job.state === 'completed' && before?.state !== 'completed') {
        if (job.kind === 'quantize') void qc.invalidateQueries({ queryKey: modelKeys.library });
        void qc.invalidateQueries({ queryKey: ['quant.plan', job.modelPath] });
        void qc.invalidateQueries({ queryKey: ['quant.compare'] });
        void qc.invalidateQueries({ queryKey: ['quality.results'] });
      }
    });
    const offRemoved = connection.client.on('work.removed', ({ id }) =>
      qc.setQueryData<WorkJob[]>(quantKeys.work, (old) => (old ? removeWork(old, id) : old)),
    );
    return () => {
      offProgress();
      offRemoved();
    };
  }, [connection, qc]);
}

/** The plan of "Make a smaller version" (types, sizes, fit, disk, imatrices); fresh each time the dialog opens. */
export function useQuantPlan(modelPath: string) {
  const client = useClient();
  return useQuery({
    queryKey: quantKeys.plan(modelPath),
    queryFn: () => client.call('quant.plan', { modelPath }),
    staleTime: 0,
    gcTime: 60_000,
    retry: false,
  });
}

export function useQuantStart() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (req: QuantizeRequest) => client.call('quant.start', req),
    onSuccess: (jobs) => upsertWork(qc, jobs),
  });
}

export function useCancelWork() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('work.cancel', { id }),
    onSuccess: (job) => upsertWork(qc, [job]),
  });
}

export function useRemoveWork() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('work.remove', { id }),
    onSuccess: (_r, id) => qc.setQueryData<WorkJob[]>(quantKeys.work, (old) => removeWork(old, id)),
  });
}
