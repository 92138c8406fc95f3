/** Chat presets (built-in first, then the user's), kept live by presets.changed. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ChatPreset } from '@shared/chat-schemas';
import { useClient } from '../../api/context';
import { useLiveText } from '../../lib/useLiveText';
import { isKnownBuiltin } from './presets-data';

export const presetKeys = { list: ['presets'] as const };

export function usePresets() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(
    () => client.on('presets.changed', (list) => qc.setQueryData<ChatPreset[]>(presetKeys.list, list)),
    [client, qc],
  );
  return useQuery({ queryKey: presetKeys.list, queryFn: () => client.call('presets.list', {}), staleTime: Infinity });
}

/** A preset's name as shown: built-ins we know by id are translated, the rest as the core or the user named them. */
export function usePresetName(): (p: Pick<ChatPreset, 'id' | 'name' | 'builtin'>) => string {
  const live = useLiveText();
  return (p) => (p.builtin && isKnownBuiltin(p.id) ? live(`presets.builtin.${p.id}`) : p.name);
}
