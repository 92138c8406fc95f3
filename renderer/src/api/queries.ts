/**
 * Server state lives in TanStack Query. Each key is filled by one contract call and then kept live by events:
 * the core pushes `backend.status` and `backend.log`, so nothing here polls.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ContractClient } from '@shared/contract';
import type { BackendStatus, ConversationSummary, LogLine, Settings, SettingsPatch } from '@shared/schemas';
import { useClient, useConnection } from './context';
import { appendLog, mergeLogs } from './logs';

export const keys = {
  appInfo: ['app.info'] as const,
  settings: ['settings'] as const,
  status: ['backend.status'] as const,
  logs: ['backend.logs'] as const,
  inspect: (path: string) => ['models.inspect', path] as const,
  conversations: ['conversations'] as const,
};

export const LOG_BACKLOG = 2000;

export function useAppInfo() {
  const client = useClient();
  return useQuery({ queryKey: keys.appInfo, queryFn: () => client.call('app.info', {}), staleTime: Infinity });
}

export function useSettings() {
  const client = useClient();
  // Kept live by the `settings.changed` event (another window or an API client may change them).
  return useQuery({ queryKey: keys.settings, queryFn: () => client.call('settings.get', {}), staleTime: Infinity });
}

export function useUpdateSettings() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => client.call('settings.update', patch),
    // Optimistic for the fields that change the look at once (language, theme).
    onMutate: (patch) => {
      const prev = qc.getQueryData<Settings>(keys.settings);
      if (prev) qc.setQueryData<Settings>(keys.settings, { ...prev, ...pickLook(patch) });
      return { prev };
    },
    onError: (_e, _p, ctx) => {
      if (ctx?.prev) qc.setQueryData(keys.settings, ctx.prev);
    },
    onSuccess: (settings) => qc.setQueryData(keys.settings, settings),
  });
}

const pickLook = (p: SettingsPatch): Partial<Settings> => ({
  ...(p.language ? { language: p.language } : {}),
  ...(p.theme ? { theme: p.theme } : {}),
});

/** Status from a fetch and from events can arrive in any order; the core numbers every change, keep the newest. */
export const newerStatus = (old: BackendStatus | undefined, next: BackendStatus): BackendStatus =>
  old && old.seq > next.seq ? old : next;

const statusQuery = (client: ContractClient, qc: QueryClient) => ({
  queryKey: keys.status,
  queryFn: async () =>
    newerStatus(qc.getQueryData<BackendStatus>(keys.status), await client.call('backend.status', {})),
  staleTime: Infinity,
});

const logsQuery = (client: ContractClient, qc: QueryClient) => ({
  queryKey: keys.logs,
  queryFn: async () => {
    const backlog = await client.call('backend.logs', { limit: LOG_BACKLOG });
    // Lines that arrived as events while the backlog was in flight are already in the cache.
    return mergeLogs(backlog, qc.getQueryData<LogLine[]>(keys.logs) ?? []);
  },
  staleTime: Infinity,
});

export function useConversations() {
  const client = useClient();
  return useQuery({
    queryKey: keys.conversations,
    queryFn: () => client.call('conversations.list', {}),
    staleTime: Infinity,
  });
}

export function useBackendStatus() {
  const client = useClient();
  const qc = useQueryClient();
  return useQuery(statusQuery(client, qc));
}

export function useBackendLogs() {
  const client = useClient();
  const qc = useQueryClient();
  return useQuery(logsQuery(client, qc));
}

function subscribeLive(client: ContractClient, qc: QueryClient): () => void {
  const offStatus = client.on('backend.status', (status) =>
    qc.setQueryData<BackendStatus>(keys.status, (old) => newerStatus(old, status)),
  );
  const offSettings = client.on('settings.changed', (settings) => qc.setQueryData<Settings>(keys.settings, settings));
  const offConversations = client.on('conversations.changed', (list) =>
    qc.setQueryData<ConversationSummary[]>(keys.conversations, list),
  );
  const offLog = client.on('backend.log', (line) =>
    qc.setQueryData<LogLine[]>(keys.logs, (old) => appendLog(old ?? [], line)),
  );
  return () => {
    offStatus();
    offSettings();
    offConversations();
    offLog();
  };
}

/** Mounted once at the root: events into the cache, and a full refetch after a reconnect (events were missed). */
export function useLiveServerState() {
  const connection = useConnection();
  const qc = useQueryClient();
  // Observed from the root so the backlog loads once and events always have a list to extend; no re-renders here.
  useQuery({ ...statusQuery(connection.client, qc), notifyOnChangeProps: [] });
  useQuery({ ...logsQuery(connection.client, qc), notifyOnChangeProps: [] });
  useEffect(() => subscribeLive(connection.client, qc), [connection, qc]);
  useEffect(() => connection.onReopen(() => void qc.invalidateQueries()), [connection, qc]);
}
