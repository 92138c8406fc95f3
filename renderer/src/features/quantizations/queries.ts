/**
 * Server state for the quality check and the Quantizations page. Finished work jobs refresh the comparison and the
 * cached results (useLiveWork in features/quant invalidates both keys); here the library and the backend status do
 * too: a new file or another running model changes the table.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { EvalTextId, QualityRequest } from '@shared/quant';
import type { BackendStatus } from '@shared/schemas';
import { useClient, useConnection } from '../../api/context';
import { keys, newerStatus } from '../../api/queries';
import { upsertWork } from '../quant/queries';

export const qualityKeys = {
  texts: ['quality.texts'] as const,
  results: (modelPath: string) => ['quality.results', modelPath] as const,
  compare: (modelPath: string, text: EvalTextId) => ['quant.compare', modelPath, text] as const,
};

export function useEvalTexts() {
  const client = useClient();
  return useQuery({
    queryKey: qualityKeys.texts,
    queryFn: () => client.call('quality.texts', {}),
    staleTime: Infinity,
    retry: false,
  });
}

/** Cached results of one model's current file (the dialog shows the one that applies instead of measuring again). */
export function useQualityResults(modelPath: string) {
  const client = useClient();
  return useQuery({
    queryKey: qualityKeys.results(modelPath),
    queryFn: () => client.call('quality.results', { modelPath }),
    staleTime: 0,
    retry: false,
  });
}

export function useComparison(modelPath: string | null, text: EvalTextId) {
  const client = useClient();
  return useQuery({
    queryKey: qualityKeys.compare(modelPath ?? '', text),
    queryFn: () => client.call('quant.compare', { modelPath: modelPath!, text }),
    enabled: modelPath !== null,
    staleTime: 10_000,
    retry: false,
  });
}

export function useQualityStart() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (req: QualityRequest) => client.call('quality.start', req),
    onSuccess: (job) => upsertWork(qc, [job]),
  });
}

/** Switches the running backend to another file with the same load options; the status goes into the cache. */
export function useSwitchModel() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (modelPath: string) => client.call('backend.switchModel', { modelPath }),
    onSuccess: (s: BackendStatus) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s)),
  });
}

/**
 * While the page is shown: a library change or another running model (or a run that became ready) refetches the
 * comparison. Work jobs are covered by useLiveWork.
 */
export function useLiveComparison() {
  const connection = useConnection();
  const qc = useQueryClient();
  useEffect(() => {
    const refresh = () => void qc.invalidateQueries({ queryKey: ['quant.compare'] });
    const running = (s: BackendStatus | undefined) =>
      `${s?.state === 'ready' ? 'ready' : 'other'}:${s?.model?.path ?? ''}`;
    let last = running(qc.getQueryData<BackendStatus>(keys.status));
    const offLibrary = connection.client.on('library.changed', refresh);
    // Only what the table shows: which file runs (the "running" mark, measured speeds), not every status tick.
    const offStatus = connection.client.on('backend.status', (s) => {
      const now = running(s);
      if (now !== last) refresh();
      last = now;
    });
    return () => {
      offLibrary();
      offStatus();
    };
  }, [connection, qc]);
}
