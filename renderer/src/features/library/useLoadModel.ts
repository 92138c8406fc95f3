import type { LoadOptions } from '@shared/schemas';
import { useBackendStatus, useSettings } from '../../api/queries';
import { useUi } from '../../stores/ui';
import { useModelForm } from '../model/store';
import { useStartBackend } from '../models/queries';

/**
 * "Load" from the library, a finished download or the catalog: puts the file in the Model page's field and opens
 * that page; when nothing is running it starts the file at once with the saved load options, so it is one click.
 */
export function useLoadModel() {
  const { data: status } = useBackendStatus();
  const { data: settings } = useSettings();
  const setView = useUi((s) => s.setView);
  const start = useStartBackend();
  const idle = !status || status.state === 'stopped' || status.state === 'crashed';
  const load = (path: string, options?: Partial<LoadOptions>) => {
    useModelForm.getState().commitPath(path);
    setView('model');
    if (idle) start.mutate({ modelPath: path, options: { ...(settings?.loadOptions ?? {}), ...options } });
  };
  return { load, pending: start.isPending, error: start.error };
}
