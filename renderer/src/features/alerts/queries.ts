import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Alert } from '@shared/telemetry';
import { useClient } from '../../api/context';
import { MAX_ALERTS, mergeAlerts } from './alerts';

export const alertKeys = {
  list: ['alerts.list'] as const,
};

export function useAlerts() {
  const client = useClient();
  const qc = useQueryClient();
  return useQuery({
    queryKey: alertKeys.list,
    queryFn: async () =>
      mergeAlerts(
        await client.call('alerts.list', { limit: MAX_ALERTS }),
        qc.getQueryData<Alert[]>(alertKeys.list) ?? [],
      ),
    staleTime: Infinity,
  });
}
