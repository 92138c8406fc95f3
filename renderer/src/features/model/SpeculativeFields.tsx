import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { NgramType, type SpeculativeOptions } from '@shared/backend-options';
import { draftSuggestions } from '@shared/draft-pairing';
import type { ModelFileInfo } from '@shared/schemas';
import { keys } from '../../api/queries';
import { NumberField } from '../../components/NumberField';
import { PathInput } from '../../components/PathInput';
import { formatBytes } from '../../lib/format';
import { useBackendText } from '../../lib/useBackendText';
import { useCatalog, useLibrary } from '../models/queries';
import { useModelForm } from './store';
import './speculative.css';

const MODES = ['off', 'draft', 'ngram', 'mtp'] as const;

/**
 * "Speed up with speculative decoding": off / a draft model (path, with the catalog's pairing as a suggestion) /
 * n-gram lookup (which one) / MTP, offered only when the model's GGUF carries next-token-prediction layers. The core
 * checks the draft against the model before start (DRAFT_* errors); this only helps choose.
 */
export function SpeculativeFields({
  value,
  onChange,
}: {
  value: SpeculativeOptions;
  onChange: (v: SpeculativeOptions) => void;
}) {
  const { i18n } = useTranslation();
  const tb = useBackendText();
  const id = useId();
  const lng = i18n.resolvedLanguage ?? 'en';
  const inspectPath = useModelForm((s) => s.inspectPath);
  // The Model page's own inspect query (same key): read from the cache, never fetched from here.
  const { data: model } = useQuery<ModelFileInfo>({ queryKey: keys.inspect(inspectPath), enabled: false });
  const { data: library } = useLibrary();
  const { data: catalog } = useCatalog();
  const set = (patch: Partial<SpeculativeOptions>) => onChange({ ...value, ...patch });
  const mtpLayers = model?.nextnLayers ?? 0;
  const modes = MODES.filter((m) => m !== 'mtp' || mtpLayers > 0 || value.mode === 'mtp');
  const suggestions = value.mode === 'draft' && model ? draftSuggestions(model.path, library ?? [], catalog ?? []) : [];

  return (
    <div className="field spec-fields" data-testid="speculative-fields">
      <label htmlFor={`${id}-mode`}>{tb('spec.title')}</label>
      <select
        id={`${id}-mode`}
        className="select"
        data-testid="spec-mode"
        value={value.mode}
        onChange={(e) => set({ mode: e.target.value as SpeculativeOptions['mode'] })}
      >
        {modes.map((m) => (
          <option key={m} value={m}>
            {tb(`spec.mode.${m}`)}
          </option>
        ))}
      </select>
      <p className="hint">{tb(`spec.modeHint.${value.mode}`, { n: mtpLayers })}</p>
      {value.mode === 'mtp' && mtpLayers === 0 && model && <p className="hint warn">{tb('spec.mtpUnavailable')}</p>}

      {value.mode === 'draft' && (
        <>
          <div className="field spec-sub">
            <label htmlFor={`${id}-draft`}>{tb('spec.draftPath')}</label>
            <div>
              <PathInput
                id={`${id}-draft`}
                testId="spec-draft-path"
                value={value.draftModel ?? ''}
                placeholder={tb('spec.draftPlaceholder')}
                onValueChange={(v) => set({ draftModel: v.trim() === '' ? null : v })}
              />
            </div>
          </div>
          {model && suggestions.length === 0 && <p className="hint">{tb('spec.noSuggestion')}</p>}
          {suggestions.length > 0 && (
            <div className="hint" data-testid="spec-draft-suggestions">
              {tb('spec.suggested')}{' '}
              {suggestions.map((s) =>
                s.path ? (
                  <button
                    key={s.path}
                    type="button"
                    className="btn btn-small"
                    onClick={() => set({ draftModel: s.path })}
                  >
                    {tb('spec.useSuggestion', { name: s.name, size: formatBytes(s.sizeBytes ?? 0, lng) })}
                  </button>
                ) : (
                  <span key={s.catalogId}>{tb('spec.notInstalled', { name: s.name })}</span>
                ),
              )}
            </div>
          )}
        </>
      )}

      {value.mode === 'ngram' && (
        <div className="field spec-sub">
          <label htmlFor={`${id}-ngram`}>{tb('spec.ngramType')}</label>
          <select
            id={`${id}-ngram`}
            className="select"
            data-testid="spec-ngram"
            value={value.ngram}
            onChange={(e) => set({ ngram: e.target.value as SpeculativeOptions['ngram'] })}
          >
            {NgramType.options.map((n) => (
              <option key={n} value={n}>
                {tb(`spec.ngram.${n}`)}
              </option>
            ))}
          </select>
        </div>
      )}

      {(value.mode === 'draft' || value.mode === 'mtp') && (
        <div className="form-grid spec-sub">
          <div className="field">
            <label htmlFor={`${id}-max`}>{tb('spec.draftMax')}</label>
            <NumberField
              id={`${id}-max`}
              value={value.draftMax}
              min={1}
              max={64}
              onChange={(v) => set({ draftMax: v ?? 16 })}
            />
          </div>
          {value.mode === 'draft' && (
            <div className="field">
              <label htmlFor={`${id}-pmin`}>{tb('spec.draftPMin')}</label>
              <NumberField
                id={`${id}-pmin`}
                value={value.draftPMin}
                min={0}
                max={1}
                step={0.05}
                integer={false}
                onChange={(v) => set({ draftPMin: v ?? 0.75 })}
              />
            </div>
          )}
        </div>
      )}
    </div>
  );
}
