/**
 * Server state for "Benchmark this model": the running or last tune job (tune.status, kept live by 'tune.progress'
 * while the Model page is open) and the model's saved defaults (profiles.get), refreshed when a job saves.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TuneJob, TuneMode } from '@shared/tuning';
import { useClient, useConnection } from '../../api/context';
import { newerTuneJob } from './view';

export const tuneKeys = {
  job: ['tune.status'] as const,
  profiles: ['profiles.get'] as const,
  profile: (modelPath: string) => ['profiles.get', modelPath] as const,
};

function upsertJob(qc: QueryClient, job: TuneJob | null) {
  if (!job) return;
  const old = qc.getQueryData<TuneJob | null>(tuneKeys.job);
  const next = newerTuneJob(old, job);
  if (next === old) return;
  qc.setQueryData<TuneJob | null>(tuneKeys.job, next);
  // The saved defaults changed (or a finished job may have touched them): ask again, for every spelling of the path.
  if (next && (next.saved !== old?.saved || (next.state !== 'running' && old?.state === 'running')))
    void qc.invalidateQueries({ queryKey: tuneKeys.profiles });
}

/** The running or last job, seeded from tune.status on every mount and kept live by 'tune.progress' events. */
export function useTuneJob() {
  const connection = useConnection();
  const qc = useQueryClient();
  useEffect(() => connection.client.on('tune.progress', (job) => upsertJob(qc, job)), [connection, qc]);
  return useQuery({
    queryKey: tuneKeys.job,
    // Events may have moved the cached job past this answer while it was on its way: keep the newest.
    queryFn: async () =>
      newerTuneJob(qc.getQueryData<TuneJob | null>(tuneKeys.job), await connection.client.call('tune.status', {})),
    refetchOnMount: 'always',
    staleTime: Infinity,
    retry: false,
  });
}

export function useStartTune() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { modelPath: string; mode: TuneMode }) => client.call('tune.start', p),
    onSuccess: (job) => upsertJob(qc, job),
  });
}

export function useCancelTune() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => client.call('tune.cancel', {}),
    onSuccess: (job) => upsertJob(qc, job),
  });
}

export function useProfile(modelPath: string) {
  const client = useClient();
  return useQuery({
    queryKey: tuneKeys.profile(modelPath),
    queryFn: () => client.call('profiles.get', { modelPath }),
    enabled: modelPath !== '',
    staleTime: 10_000,
    retry: false,
  });
}

export function useClearProfile() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (modelPath: string) => client.call('profiles.clear', { modelPath }),
    onSuccess: (_r, modelPath) => void qc.invalidateQueries({ queryKey: tuneKeys.profile(modelPath) }),
  });
}
