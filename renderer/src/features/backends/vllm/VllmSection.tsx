/**
 * The vLLM section of the Backends page (issue 15 §1, Ray of §3): the installs detection found (live, re-check),
 * the guided install while none is usable, the start form with its live plan, and Ray across machines.
 */
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { useKindsText } from '../../../lib/useKindsText';
import { useLibrary } from '../../models/queries';
import { useVllmDetection } from './queries';
import { snapshotsOf } from './vllm-catalog';
import { VllmCatalog } from './VllmCatalog';
import { VllmGuide } from './VllmGuide';
import { VllmInstalls } from './VllmInstalls';
import { VllmRay } from './VllmRay';
import { VllmStartForm } from './VllmStartForm';
import { chosenInstall, DEFAULT_FORM, startParams, type VllmForm } from './vllm-view';
import './vllm.css';

export function VllmSection() {
  const t = useKindsText();
  const detection = useVllmDetection();
  const library = useLibrary();
  const [form, setForm] = useState<VllmForm>(DEFAULT_FORM);
  const onChange = (patch: Partial<VllmForm>) => setForm((f) => ({ ...f, ...patch }));
  const d = detection.data;
  const install = chosenInstall(d, form.install);
  const noneUsable = d !== undefined && !d.installs.some((i) => i.usable);

  return (
    <div className="vllm-section" data-testid="vllm-section">
      <p className="muted">{t('vllm.intro')}</p>
      {detection.error && <ErrorMessage error={detection.error} compact />}
      <VllmInstalls detection={d} loading={detection.isFetching} />
      {noneUsable && <VllmGuide guide={d.guide} />}
      <VllmStartForm form={form} onChange={onChange} detection={d} snapshots={snapshotsOf(library.data)} />
      <VllmCatalog library={library.data} onUse={(modelPath) => onChange({ modelPath })} />
      <VllmRay
        modelPath={form.modelPath}
        vllm={startParams(form)?.vllm ?? null}
        localGpus={install?.gpus.length ?? 1}
        install={install?.id ?? null}
      />
    </div>
  );
}
