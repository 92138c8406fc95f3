/**
 * Server state for RPC: the workers on other machines (rpc.workers, kept live by the `rpc.workers` event) and this
 * machine's worker mode (rpc.workerMode, kept live by `rpc.workerMode`). Each call's answer goes into the cache.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { RpcWorker, RpcWorkerMode, RpcWorkerModeSettings } from '@shared/backends';
import { useClient } from '../../../api/context';

export const rpcKeys = {
  workers: ['rpc.workers'] as const,
  mode: ['rpc.workerMode'] as const,
  interfaces: ['api.interfaces'] as const,
};

function upsert(qc: QueryClient, w: RpcWorker) {
  qc.setQueryData<RpcWorker[]>(rpcKeys.workers, (old) =>
    old ? (old.some((x) => x.id === w.id) ? old.map((x) => (x.id === w.id ? w : x)) : [...old, w]) : [w],
  );
}

export function useRpcWorkers() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('rpc.workers', (list) => qc.setQueryData(rpcKeys.workers, list)), [client, qc]);
  return useQuery({
    queryKey: rpcKeys.workers,
    queryFn: () => client.call('rpc.workers', {}),
    // Events keep it live only while the section is shown: fetched again each time it is.
    staleTime: 0,
    retry: false,
  });
}

export function useAddWorker() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { host: string; port: number }) => client.call('rpc.addWorker', p),
    onSuccess: (w) => upsert(qc, w),
  });
}

export function useCheckWorker() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('rpc.checkWorker', { id }),
    onSuccess: (w) => upsert(qc, w),
  });
}

export function useSetWorkerEnabled() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { id: string; enabled: boolean }) => client.call('rpc.setWorkerEnabled', p),
    onSuccess: (w) => upsert(qc, w),
  });
}

export function useRemoveWorker() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('rpc.removeWorker', { id }),
    onSuccess: (_r, id) => qc.setQueryData<RpcWorker[]>(rpcKeys.workers, (old) => old?.filter((w) => w.id !== id)),
  });
}

export function useWorkerMode() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('rpc.workerMode', (m) => qc.setQueryData(rpcKeys.mode, m)), [client, qc]);
  return useQuery({
    queryKey: rpcKeys.mode,
    queryFn: () => client.call('rpc.workerMode', {}),
    // Events keep it live only while the section is shown: fetched again each time it is.
    staleTime: 0,
    retry: false,
  });
}

export type WorkerModeInput = Partial<Omit<RpcWorkerModeSettings, 'enabled'>>;

export function useStartWorkerMode() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: WorkerModeInput) => client.call('rpc.startWorkerMode', p),
    onSuccess: (m: RpcWorkerMode) => qc.setQueryData(rpcKeys.mode, m),
  });
}

export function useStopWorkerMode() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => client.call('rpc.stopWorkerMode', {}),
    onSuccess: (m: RpcWorkerMode) => qc.setQueryData(rpcKeys.mode, m),
  });
}

/** This machine's network addresses (the same cache entry as Settings → LAN access). */
export function useInterfaces() {
  const client = useClient();
  return useQuery({
    queryKey: rpcKeys.interfaces,
    queryFn: () => client.call('api.interfaces', {}),
    staleTime: 30_000,
  });
}
