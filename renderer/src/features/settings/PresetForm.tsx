/** The editor of one user preset: name, system prompt, where instructions go, and sampling (empty: model default). */
import { useId, useState } from 'react';
import type { SamplingParams } from '@shared/schemas';
import { NumberField } from '../../components/NumberField';
import { SwitchRow } from '../../components/SwitchRow';
import { useLiveText, type LiveKey } from '../../lib/useLiveText';
import { presetOf, type PresetDraft } from './presets-data';
import type { ChatPreset } from '@shared/chat-schemas';

/** Each sampling field with its bounds (SamplingParams in schemas.ts). */
const FIELDS: {
  key: keyof SamplingParams;
  label: LiveKey;
  min?: number;
  max?: number;
  step: number;
  integer: boolean;
  empty: LiveKey;
}[] = [
  {
    key: 'temperature',
    label: 'presets.form.temperature',
    min: 0,
    max: 5,
    step: 0.05,
    integer: false,
    empty: 'presets.form.default',
  },
  {
    key: 'top_p',
    label: 'presets.form.topP',
    min: 0,
    max: 1,
    step: 0.01,
    integer: false,
    empty: 'presets.form.default',
  },
  {
    key: 'top_k',
    label: 'presets.form.topK',
    min: 0,
    max: 1000,
    step: 1,
    integer: true,
    empty: 'presets.form.default',
  },
  {
    key: 'min_p',
    label: 'presets.form.minP',
    min: 0,
    max: 1,
    step: 0.01,
    integer: false,
    empty: 'presets.form.default',
  },
  {
    key: 'repeat_penalty',
    label: 'presets.form.repeatPenalty',
    min: 0,
    max: 5,
    step: 0.05,
    integer: false,
    empty: 'presets.form.default',
  },
  {
    key: 'max_tokens',
    label: 'presets.form.maxTokens',
    min: 1,
    max: 1_000_000,
    step: 1,
    integer: true,
    empty: 'presets.form.unlimited',
  },
  { key: 'seed', label: 'presets.form.seed', step: 1, integer: true, empty: 'presets.form.random' },
];

export function PresetForm({
  initial,
  isNew,
  saving,
  onSave,
  onCancel,
}: {
  initial: PresetDraft;
  isNew: boolean;
  saving: boolean;
  onSave: (p: ChatPreset) => void;
  onCancel: () => void;
}) {
  const live = useLiveText();
  const id = useId();
  const [d, setD] = useState(initial);
  const [tried, setTried] = useState(false);
  const preset = presetOf(d);
  const setSampling = (k: keyof SamplingParams, v: number | null) =>
    setD((x) => {
      const sampling = { ...x.sampling };
      if (v === null) delete sampling[k];
      else sampling[k] = v;
      return { ...x, sampling };
    });

  return (
    <form
      className="preset-form"
      data-testid="preset-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (preset) onSave(preset);
      }}
    >
      <h3 className="preset-form-title">
        {isNew ? live('presets.form.titleNew') : live('presets.form.titleEdit', { name: initial.name })}
      </h3>
      <div className="field">
        <label htmlFor={`${id}-name`}>{live('presets.form.name')}</label>
        <input
          id={`${id}-name`}
          className="input"
          data-testid="preset-name"
          value={d.name}
          maxLength={80}
          onChange={(e) => setD({ ...d, name: e.target.value })}
        />
        {tried && !preset && <p className="hint error-text">{live('presets.form.nameRequired')}</p>}
      </div>
      <div className="field">
        <label htmlFor={`${id}-sys`}>{live('presets.form.systemPrompt')}</label>
        <textarea
          id={`${id}-sys`}
          className="input preset-system"
          data-testid="preset-system"
          rows={4}
          maxLength={100_000}
          value={d.systemPrompt}
          placeholder={live('presets.form.systemPromptHint')}
          onChange={(e) => setD({ ...d, systemPrompt: e.target.value })}
        />
      </div>
      <SwitchRow
        testId="preset-user-turn"
        checked={d.instructionsInUserTurn}
        onChange={(instructionsInUserTurn) => setD({ ...d, instructionsInUserTurn })}
        label={live('presets.form.inUserTurn')}
      />
      <p className="hint">{live('presets.form.inUserTurnHint')}</p>
      <h4 className="preset-form-sub">{live('presets.form.sampling')}</h4>
      <p className="hint">{live('presets.form.samplingHint')}</p>
      <div className="form-grid cols-3">
        {FIELDS.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`${id}-${f.key}`}>{live(f.label)}</label>
            <NumberField
              id={`${id}-${f.key}`}
              testId={`preset-${f.key}`}
              value={d.sampling[f.key] ?? null}
              min={f.min}
              max={f.max}
              step={f.step}
              integer={f.integer}
              allowEmpty
              placeholder={live(f.empty)}
              onChange={(v) => setSampling(f.key, v)}
            />
          </div>
        ))}
      </div>
      <div className="card-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {live('presets.form.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" data-testid="preset-save" disabled={saving}>
          {live('presets.form.save')}
        </button>
      </div>
    </form>
  );
}
