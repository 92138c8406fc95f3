import { useRuntimes } from './queries';
import { useRuntimeText } from './useRuntimeText';

/**
 * Under the Model page's GPU layers: when the active runtime lists no GPU, GPU layers are a promise nothing keeps
 * (llama.cpp runs every layer on the CPU), so say so.
 */
export function RuntimeGpuNote() {
  const text = useRuntimeText();
  const { data: list } = useRuntimes();
  const sel = list?.selection;
  if (!sel?.active || sel.devices.length > 0) return null;
  return (
    <p className="hint text-warn" data-testid="model-runtime-nogpu">
      {text.t('modelNote', { runtime: text.name(sel.active) })}
    </p>
  );
}
