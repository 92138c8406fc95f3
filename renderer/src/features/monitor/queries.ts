/**
 * Telemetry server state in the query cache: `telemetry.status` (patched by its event) and the sample buffer
 * (the core's backlog merged with live `telemetry.sample` events). The core samples only while someone listens,
 * so the Monitor page subscribes only while it is mounted and the window is visible.
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import type { ContractClient } from '@shared/contract';
import type { TelemetrySample } from '@shared/telemetry';
import { useClient, useConnection } from '../../api/context';
import { appendSample, MAX_SAMPLES, mergeSamples } from './samples';

export const telemetryKeys = {
  status: ['telemetry.status'] as const,
  samples: ['telemetry.samples'] as const,
};

const EMPTY: readonly TelemetrySample[] = [];

export function useTelemetryStatus() {
  const client = useClient();
  return useQuery({
    queryKey: telemetryKeys.status,
    queryFn: () => client.call('telemetry.status', {}),
    staleTime: Infinity,
  });
}

const historyQuery = (client: ContractClient, qc: QueryClient) => ({
  queryKey: telemetryKeys.samples,
  queryFn: async () => {
    const backlog = await client.call('telemetry.history', { seconds: MAX_SAMPLES });
    // Samples that arrived as events while the backlog was in flight are already in the cache.
    return mergeSamples(qc.getQueryData<TelemetrySample[]>(telemetryKeys.samples) ?? [], backlog);
  },
});

/** The buffered samples, oldest first. Reading never fetches: `useTelemetryFeed` fills it. */
export function useSamples(): readonly TelemetrySample[] {
  const client = useClient();
  const qc = useQueryClient();
  // gcTime Infinity: the hour of history survives a visit to another page (the core keeps only its own window).
  // No structural sharing: samples are immutable and appended, a deep comparison each tick would find nothing.
  const { data } = useQuery({
    ...historyQuery(client, qc),
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
    structuralSharing: false,
  });
  return data ?? EMPTY;
}

/** The newest sample through a selector, so a component re-renders only when what it picks changes. */
export function useLatestSample<T>(select: (s: TelemetrySample | undefined) => T): T {
  const client = useClient();
  const qc = useQueryClient();
  const { data } = useQuery({
    ...historyQuery(client, qc),
    enabled: false,
    staleTime: Infinity,
    gcTime: Infinity,
    select: (samples: TelemetrySample[]) => select(samples[samples.length - 1]),
  });
  return data ?? select(undefined);
}

const onVisibility = (cb: () => void) => {
  document.addEventListener('visibilitychange', cb);
  return () => document.removeEventListener('visibilitychange', cb);
};
const isVisible = () => document.visibilityState === 'visible';

export const usePageVisible = () => useSyncExternalStore(onVisibility, isVisible);

/**
 * Listens to `telemetry.sample` while `active` (page mounted and window visible), and each time it starts
 * listening fetches the backlog to fill what was missed. Subscribing first means nothing falls between the two.
 */
export function useTelemetryFeed(active: boolean) {
  const connection = useConnection();
  const qc = useQueryClient();
  useEffect(() => {
    if (!active) return;
    const { client } = connection;
    const off = client.on('telemetry.sample', (s) =>
      qc.setQueryData<TelemetrySample[]>(telemetryKeys.samples, (old) => appendSample(old ?? [], s)),
    );
    const backfill = () => void qc.fetchQuery({ ...historyQuery(client, qc), staleTime: 0 }).catch(() => undefined);
    backfill();
    // Samples were missed while the socket was down.
    const offReopen = connection.onReopen(backfill);
    return () => {
      off();
      offReopen();
    };
  }, [active, connection, qc]);
}
