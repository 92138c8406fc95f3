import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../api/context';

export const powerKeys = {
  status: ['power.status'] as const,
};

/** Limits per GPU; kept live by the `power.changed` event (the app, the thermal guard or another tool changed one). */
export function usePowerStatus() {
  const client = useClient();
  return useQuery({ queryKey: powerKeys.status, queryFn: () => client.call('power.status', {}), staleTime: Infinity });
}
