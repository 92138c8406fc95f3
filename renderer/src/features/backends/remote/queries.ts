/**
 * Server state for external servers: the saved list (remote.list) kept live by `remote.changed` while the section is
 * shown, and the calls that change it. Connecting puts the returned status into the backend status cache, so the
 * status bar shows the server at once.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { RemoteServer, RemoteServerInput } from '@shared/backends';
import type { BackendStatus } from '@shared/schemas';
import { useClient } from '../../../api/context';
import { keys, newerStatus } from '../../../api/queries';

export const remoteKeys = { list: ['remote.list'] as const };

function upsert(qc: QueryClient, server: RemoteServer) {
  qc.setQueryData<RemoteServer[]>(remoteKeys.list, (old) =>
    old ? [...old.filter((s) => s.id !== server.id), server] : [server],
  );
}

export function useRemoteServers() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('remote.changed', (list) => qc.setQueryData(remoteKeys.list, list)), [client, qc]);
  return useQuery({
    queryKey: remoteKeys.list,
    queryFn: () => client.call('remote.list', {}),
    // Events keep it live only while the section is shown: fetched again each time it is.
    staleTime: 0,
    retry: false,
  });
}

/** Checks a server that is not saved yet; problems come back in the result's `error`, not as a rejection. */
export function useRemoteCheck() {
  const client = useClient();
  return useMutation({ mutationFn: (input: RemoteServerInput) => client.call('remote.check', input) });
}

export function useRemoteAdd() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RemoteServerInput) => client.call('remote.add', input),
    onSuccess: (server) => upsert(qc, server),
  });
}

export function useRemoteRefresh() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('remote.refresh', { id }),
    onSuccess: (server) => upsert(qc, server),
  });
}

export function useRemoteRemove() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => client.call('remote.remove', { id }),
    onSuccess: (_r, id) => qc.setQueryData<RemoteServer[]>(remoteKeys.list, (old) => old?.filter((s) => s.id !== id)),
  });
}

export function useRemoteConnect() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { id: string; model: string }) => client.call('remote.connect', p),
    onSuccess: (s: BackendStatus) => qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, s)),
  });
}
