/** The vLLM options of the start form: install, GPU memory share, GPUs, quantization, dtype, context length. */
import type { VllmDetection, VllmInstall } from '@shared/backends';
import { NumberField } from '../../../components/NumberField';
import { useKindsText } from '../../../lib/useKindsText';
import { DTYPE_CHOICES, gpusInUse, QUANT_CHOICES, toggleGpu, type VllmForm } from './vllm-view';

export function VllmOptionsFields({
  form,
  onChange,
  detection,
  install,
  checkpointQuant,
}: {
  form: VllmForm;
  onChange: (patch: Partial<VllmForm>) => void;
  detection: VllmDetection | undefined;
  install: VllmInstall | null;
  /** What the checkpoint says (from the plan), shown beside "as the checkpoint says". */
  checkpointQuant: string | null | undefined;
}) {
  const t = useKindsText();
  const all = install?.gpus.map((g) => g.index) ?? [];
  const used = gpusInUse(form.gpus, all);
  const usable = detection?.installs.filter((i) => i.usable) ?? [];
  return (
    <div className="form-grid vllm-options">
      <div className="field">
        <label htmlFor="vllm-install">{t('vllm.form.install')}</label>
        <select
          id="vllm-install"
          className="select"
          data-testid="vllm-install-select"
          value={install?.id ?? ''}
          disabled={usable.length === 0}
          onChange={(e) => onChange({ install: e.target.value || null, gpus: null })}
        >
          {usable.length === 0 && <option value="">—</option>}
          {usable.map((i) => (
            <option key={i.id} value={i.id}>
              {`vLLM ${i.version ?? ''} · ${t(`vllm.detect.source.${i.source}`)} · ${i.command.join(' ')}`}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="vllm-memory">
          {t('vllm.form.memoryValue', { pct: `${Math.round(form.gpuMemoryUtilization * 100)}%` })}
        </label>
        <input
          id="vllm-memory"
          type="range"
          className="vllm-range"
          data-testid="vllm-memory"
          min={0.5}
          max={0.98}
          step={0.01}
          value={form.gpuMemoryUtilization}
          onChange={(e) => onChange({ gpuMemoryUtilization: Number(e.target.value) })}
        />
        <span className="hint">{t('vllm.form.memoryHint')}</span>
      </div>
      {all.length > 0 && (
        <fieldset className="field vllm-gpu-pick">
          <legend>{t('vllm.form.gpus')}</legend>
          <div className="vllm-gpu-boxes">
            {install!.gpus.map((g) => (
              <label key={g.index} className="vllm-check">
                <input
                  type="checkbox"
                  data-testid="vllm-gpu"
                  checked={used.includes(g.index)}
                  onChange={() => onChange({ gpus: toggleGpu(form.gpus, all, g.index) })}
                />
                {t('vllm.detect.gpu', { index: g.index, name: g.name })}
              </label>
            ))}
          </div>
          <span className="hint">{t('vllm.form.gpusHint', { count: used.length })}</span>
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="vllm-quant">{t('vllm.form.quantization')}</label>
        <select
          id="vllm-quant"
          className="select"
          data-testid="vllm-quantization"
          value={form.quantization ?? ''}
          onChange={(e) => onChange({ quantization: e.target.value || null })}
        >
          <option value="">
            {checkpointQuant === undefined
              ? t('vllm.form.quantAuto')
              : t('vllm.form.quantAutoIs', { method: checkpointQuant ?? t('vllm.form.quantNone') })}
          </option>
          {QUANT_CHOICES.map((q) => (
            <option key={q} value={q}>
              {q}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="vllm-dtype">{t('vllm.form.dtype')}</label>
        <select
          id="vllm-dtype"
          className="select"
          data-testid="vllm-dtype"
          value={form.dtype}
          onChange={(e) => onChange({ dtype: e.target.value as VllmForm['dtype'] })}
        >
          {DTYPE_CHOICES.map((d) => (
            <option key={d} value={d}>
              {d === 'auto' ? t('vllm.form.dtypeAuto') : d}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="vllm-context">{t('vllm.form.context')}</label>
        <NumberField
          id="vllm-context"
          testId="vllm-context"
          value={form.contextSize}
          min={0}
          max={1_048_576}
          onChange={(v) => onChange({ contextSize: v ?? 0 })}
        />
        <span className="hint">{t('vllm.form.contextAuto')}</span>
      </div>
    </div>
  );
}
