import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { LoadOptions } from '@shared/schemas';
import { NumberField } from '../../components/NumberField';
import { formatCount } from '../../lib/format';
import { RuntimeGpuNote } from '../runtimes/RuntimeGpuNote';
import { GpuFields } from './GpuFields';
import { ParallelField } from './ParallelField';
import { SpeculativeFields } from './SpeculativeFields';

const CONTEXT_PRESETS = [0, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
const CACHE_TYPES = ['f16', 'bf16', 'q8_0', 'q4_0'] as const;
const REASONING = ['auto', 'deepseek', 'none'] as const;
const LOAD_MODES = ['auto', 'mmap', 'mlock', 'mmap+mlock', 'none'] as const;
const FLASH = ['auto', 'on', 'off'] as const;

export function LoadOptionsForm({
  value,
  onChange,
  modelContext,
  disabled,
}: {
  value: LoadOptions;
  onChange: (v: LoadOptions) => void;
  /** The model's training context, when known, to label "model default". */
  modelContext: number | null;
  disabled: boolean;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const set = <K extends keyof LoadOptions>(k: K, v: LoadOptions[K]) => onChange({ ...value, [k]: v });
  const lng = i18n.resolvedLanguage ?? 'en';
  const contexts = CONTEXT_PRESETS.includes(value.contextSize)
    ? CONTEXT_PRESETS
    : [...CONTEXT_PRESETS, value.contextSize].sort((a, b) => a - b);
  const gpuMode = typeof value.gpuLayers === 'number' ? 'custom' : value.gpuLayers;
  const quantV = value.cacheTypeV === 'q8_0' || value.cacheTypeV === 'q4_0';

  return (
    <fieldset className="form-grid" disabled={disabled}>
      <div className="field">
        <label htmlFor={`${id}-ctx`}>{t('model.contextSize')}</label>
        <select
          id={`${id}-ctx`}
          className="select"
          value={value.contextSize}
          onChange={(e) => set('contextSize', Number(e.target.value))}
        >
          {contexts.map((n) => (
            <option key={n} value={n}>
              {n === 0
                ? modelContext
                  ? t('model.contextModel', { n: formatCount(modelContext, lng) })
                  : t('model.contextModelUnknown')
                : t('model.tokens', { n: formatCount(n, lng) })}
            </option>
          ))}
        </select>
        <p className="hint">{t('model.contextHint')}</p>
      </div>

      <div className="field">
        <label htmlFor={`${id}-gpu`}>{t('model.gpuLayers')}</label>
        <div className="inline">
          <select
            id={`${id}-gpu`}
            className="select"
            value={gpuMode}
            onChange={(e) => {
              const m = e.target.value;
              set(
                'gpuLayers',
                m === 'auto' || m === 'all' ? m : typeof value.gpuLayers === 'number' ? value.gpuLayers : 0,
              );
            }}
          >
            <option value="auto">{t('model.gpuAuto')}</option>
            <option value="all">{t('model.gpuAll')}</option>
            <option value="custom">{t('model.gpuCustom')}</option>
          </select>
          {typeof value.gpuLayers === 'number' && (
            <NumberField
              className="input input-narrow"
              value={value.gpuLayers}
              min={0}
              max={1000}
              onChange={(v) => set('gpuLayers', v ?? 0)}
            />
          )}
        </div>
        <p className="hint">{t('model.gpuHint')}</p>
        <RuntimeGpuNote />
      </div>

      <GpuFields options={value} onChange={(g) => set('gpus', g)} />

      <div className="field">
        <label htmlFor={`${id}-fa`}>{t('model.flashAttention')}</label>
        <select
          id={`${id}-fa`}
          className="select"
          value={value.flashAttention}
          onChange={(e) => set('flashAttention', e.target.value as LoadOptions['flashAttention'])}
        >
          {FLASH.map((v) => (
            <option key={v} value={v}>
              {t(`model.switch.${v}`)}
            </option>
          ))}
        </select>
      </div>

      <SpeculativeFields value={value.speculative} onChange={(v) => set('speculative', v)} />

      <details className="advanced">
        <summary>{t('model.advanced')}</summary>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-threads`}>{t('model.threads')}</label>
            <NumberField
              id={`${id}-threads`}
              value={value.threads}
              min={0}
              max={512}
              onChange={(v) => set('threads', v ?? 0)}
            />
            <p className="hint">{t('model.threadsHint')}</p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-ncmoe`}>{t('model.cpuMoe')}</label>
            <NumberField
              id={`${id}-ncmoe`}
              value={value.cpuMoeLayers}
              min={0}
              max={1000}
              onChange={(v) => set('cpuMoeLayers', v ?? 0)}
            />
            <p className="hint">{t('model.cpuMoeHint')}</p>
          </div>
          <ParallelField value={value} onChange={(v) => set('parallel', v)} />
          <div className="field">
            <label htmlFor={`${id}-ctk`}>{t('model.cacheK')}</label>
            <select
              id={`${id}-ctk`}
              className="select"
              value={value.cacheTypeK}
              onChange={(e) => set('cacheTypeK', e.target.value as LoadOptions['cacheTypeK'])}
            >
              {CACHE_TYPES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-ctv`}>{t('model.cacheV')}</label>
            <select
              id={`${id}-ctv`}
              className="select"
              value={value.cacheTypeV}
              onChange={(e) => set('cacheTypeV', e.target.value as LoadOptions['cacheTypeV'])}
            >
              {CACHE_TYPES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
            {quantV && value.flashAttention === 'off' && <p className="hint warn">{t('model.quantVHint')}</p>}
          </div>
          <div className="field">
            <label htmlFor={`${id}-rf`}>{t('model.reasoningFormat')}</label>
            <select
              id={`${id}-rf`}
              className="select"
              value={value.reasoningFormat}
              onChange={(e) => set('reasoningFormat', e.target.value as LoadOptions['reasoningFormat'])}
            >
              {REASONING.map((v) => (
                <option key={v} value={v}>
                  {t(`model.reasoning.${v}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-lm`}>{t('model.loadMode')}</label>
            <select
              id={`${id}-lm`}
              className="select"
              value={value.loadMode}
              onChange={(e) => set('loadMode', e.target.value as LoadOptions['loadMode'])}
            >
              {LOAD_MODES.map((v) => (
                <option key={v} value={v}>
                  {t(`model.loadModes.${v}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </details>
    </fieldset>
  );
}
