/** The app update's state (desktop only): one fetch, then kept live by the `app.update` event. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { AppUpdateState } from '@shared/app-update';
import { useAppInfo } from '../../api/queries';
import { useClient } from '../../api/context';

const key = ['app.updateStatus'] as const;

export function useAppUpdate(): AppUpdateState | undefined {
  const client = useClient();
  const qc = useQueryClient();
  const { data: info } = useAppInfo();
  // The browser shell has no updater (it answers UNSUPPORTED): never ask.
  const desktop = info?.shell === 'electron';
  const q = useQuery({
    queryKey: key,
    queryFn: () => client.call('app.updateStatus', {}),
    enabled: desktop,
    staleTime: Infinity,
  });
  useEffect(
    () => (desktop ? client.on('app.update', (s) => qc.setQueryData<AppUpdateState>(key, s)) : undefined),
    [client, qc, desktop],
  );
  return q.data;
}

export function useInstallUpdate() {
  const client = useClient();
  return useMutation({ mutationFn: () => client.call('app.installUpdate', {}) });
}
