import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../../api/context';

export const hardwareKeys = {
  report: ['hardware.probe'] as const,
};

/** The core caches its probe; the first call may take a few seconds (it waits on slow tools, never for long). */
export function useHardware() {
  const client = useClient();
  return useQuery({
    queryKey: hardwareKeys.report,
    queryFn: () => client.call('hardware.probe', {}),
    staleTime: Infinity,
    retry: false,
  });
}

export function useRefreshHardware() {
  const client = useClient();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => client.call('hardware.probe', { refresh: true }),
    onSuccess: (report) => qc.setQueryData(hardwareKeys.report, report),
  });
}
