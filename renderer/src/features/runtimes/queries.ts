/**
 * Server state for runtimes: the list (installed, the selection, jobs) is fetched once and kept live by
 * `runtimes.progress` and `runtimes.changed` (useLiveRuntimes, mounted once at the root). A change of runtime
 * changes which devices plans may use, so it also refreshes the fit report and the hardware report.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { RuntimeJob, RuntimeList, RuntimeSelection, RuntimeVariant } from '@shared/runtimes';
import { useClient, useConnection } from '../../api/context';
import { hardwareKeys } from '../hardware/queries';
import { modelKeys } from '../models/queries';
import { mergeRuntimeJobs } from './view';

export const runtimeKeys = {
  list: ['runtimes.list'] as const,
  available: ['runtimes.available'] as const,
  update: ['runtimes.update'] as const,
};

export function useRuntimes() {
  const client = useClient();
  return useQuery({
    queryKey: runtimeKeys.list,
    queryFn: () => client.call('runtimes.list', {}),
    staleTime: Infinity,
    retry: false,
  });
}

/** What the release feed offers; RELEASE_UNREACHABLE offline, shown where it is used. */
export function useAvailableRuntimes(enabled = true) {
  const client = useClient();
  return useQuery({
    queryKey: runtimeKeys.available,
    queryFn: () => client.call('runtimes.available', {}),
    staleTime: 5 * 60_000,
    retry: false,
    enabled,
  });
}

function upsertRuntimeJob(qc: QueryClient, job: RuntimeJob) {
  qc.setQueryData<RuntimeList>(runtimeKeys.list, (old) =>
    old ? { ...old, jobs: mergeRuntimeJobs(old.jobs, [job]) } : old,
  );
}

/** Plans, badges and the hardware report follow the active runtime's devices. */
function afterRuntimeChange(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: modelKeys.fit });
  void qc.invalidateQueries({ queryKey: hardwareKeys.report });
  void qc.invalidateQueries({ queryKey: runtimeKeys.available });
}

function setSelection(qc: QueryClient, selection: RuntimeSelection) {
  qc.setQueryData<RuntimeList>(runtimeKeys.list, (old) =>
    old
      ? {
          ...old,
          selection,
          installed: old.installed.map((r) => ({ ...r, active: r.id === selection.active?.id })),
        }
      : old,
  );
  void qc.invalidateQueries({ queryKey: runtimeKeys.list });
  afterRuntimeChange(qc);
}

export function useLiveRuntimes() {
  const connection = useConnection();
  const qc = useQueryClient();
  useEffect(() => {
    const offProgress = connection.client.on('runtimes.progress', (job) => upsertRuntimeJob(qc, job));
    const offChanged = connection.client.on('runtimes.changed', (list) => {
      const old = qc.getQueryData<RuntimeList>(runtimeKeys.list);
      qc.setQueryData<RuntimeList>(runtimeKeys.list, {
        ...list,
        jobs: mergeRuntimeJobs(old?.jobs ?? [], list.jobs),
      });
      afterRuntimeChange(qc);
    });
    return () => {
      offProgress();
      offChanged();
    };
  }, [connection, qc]);
}

export function useGetRuntime() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { variant: RuntimeVariant; tag?: string }) => client.call('runtimes.get', p),
    onSuccess: (job) => upsertRuntimeJob(qc, job),
  });
}

export function useCancelRuntimeJob() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (jobId: string) => client.call('runtimes.cancel', { jobId }),
    onSuccess: (job) => upsertRuntimeJob(qc, job),
  });
}

export function useUseRuntime() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('runtimes.use', { id }),
    onSuccess: (selection) => setSelection(qc, selection),
  });
}

export function useCheckRuntimes() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => client.call('runtimes.check', {}),
    onSuccess: (selection) => setSelection(qc, selection),
  });
}

export function useRemoveRuntime() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('runtimes.remove', { id }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: runtimeKeys.list });
      void qc.invalidateQueries({ queryKey: runtimeKeys.available });
    },
  });
}

export function useAddRuntimeFolder() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => client.call('runtimes.addFolder', { path }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: runtimeKeys.list }),
  });
}

/** "Look for a newer release" (apply false) and "get it" (apply true: fetched, checked, made active). */
export function useRuntimeUpdate() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (apply: boolean) => client.call('runtimes.update', { apply }),
    onSuccess: (r) => {
      if (r.job) upsertRuntimeJob(qc, r.job);
    },
  });
}
