/**
 * Mounted once at the root: the low-rate telemetry events (status, power limits, alerts) into the cache, and
 * alerts as toasts on whatever page is open. Samples are not here: they flow only while the Monitor page is
 * visible (see useTelemetryFeed), because the core samples only while someone listens.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Alert, PowerInfo, TelemetryStatus } from '@shared/telemetry';
import { useClient } from '../../api/context';
import { useToasts } from '../../stores/toasts';
import { appendAlert } from '../alerts/alerts';
import { alertKeys } from '../alerts/queries';
import { powerKeys } from '../power/queries';
import { telemetryKeys } from './queries';

export function useLiveTelemetry() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => {
    const offs = [
      client.on('telemetry.status', (s) => qc.setQueryData<TelemetryStatus>(telemetryKeys.status, s)),
      client.on('power.changed', (list) => qc.setQueryData<PowerInfo[]>(powerKeys.status, list)),
      client.on('alert', (a) => {
        // Only extend a list that was fetched: an empty cache entry would stop the backlog from ever loading.
        qc.setQueryData<Alert[]>(alertKeys.list, (old) => (old ? appendAlert(old, a) : undefined));
        useToasts.getState().push(a);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [client, qc]);
}
