/**
 * Settings → Chat (settings.chat): automatic titles, the default preset, a preset per model, and the presets editor.
 * The card sends the whole chat group each time from its own state (as RecoverySettingsCard does), so a click never
 * undoes another that is still on its way.
 */
import { useId, useState } from 'react';
import type { ChatSettings } from '@shared/schemas';
import { useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SwitchRow } from '../../components/SwitchRow';
import { useLiveText } from '../../lib/useLiveText';
import { useLibrary } from '../models/queries';
import { PresetEditor } from './PresetEditor';
import { usePresetName, usePresets } from './usePresets';
import './presets.css';

export function ChatSettingsCard() {
  const { data: settings } = useSettings();
  if (!settings) return null;
  return <ChatSettingsForm saved={settings.chat} />;
}

/** The key settings.chat.presetByModel uses for a model: its file name (the last part of its path). */
export const modelKey = (path: string): string => path.split(/[\\/]/).pop() ?? path;

function ChatSettingsForm({ saved }: { saved: ChatSettings }) {
  const live = useLiveText();
  const id = useId();
  const update = useUpdateSettings();
  const { data: presets } = usePresets();
  const { data: library } = useLibrary();
  const presetName = usePresetName();
  const [shown, setShown] = useState(saved);
  // A change from elsewhere (another window, the API) replaces it, unless our own save is still on its way.
  const [seen, setSeen] = useState(saved);
  if (seen !== saved) {
    setSeen(saved);
    if (!update.isPending) setShown(saved);
  }
  const save = (patch: Partial<ChatSettings>) => {
    const next = { ...shown, ...patch };
    setShown(next);
    update.mutate({ chat: next }, { onError: () => setShown(saved) });
  };
  const setModelPreset = (key: string, presetId: string) => {
    const presetByModel = { ...shown.presetByModel };
    if (presetId === '') delete presetByModel[key];
    else presetByModel[key] = presetId;
    save({ presetByModel });
  };
  // A preset that is gone (deleted elsewhere) still shows as the selected value rather than silently another.
  const options = (selected: string) => [
    ...(presets ?? []),
    ...(selected && !presets?.some((p) => p.id === selected) ? [{ id: selected, name: selected, builtin: false }] : []),
  ];
  const models = [...new Map((library ?? []).map((m) => [modelKey(m.path), m])).values()];

  return (
    <section className="card" data-testid="chat-settings">
      <h2 className="card-title">{live('presets.card.title')}</h2>
      <p className="hint card-sub">{live('presets.card.hint')}</p>
      <div className="chat-settings-body">
        <div>
          <SwitchRow
            testId="chat-auto-title"
            checked={shown.autoTitle}
            onChange={(autoTitle) => save({ autoTitle })}
            label={live('presets.card.autoTitle')}
          />
          <p className="hint">{live('presets.card.autoTitleHint')}</p>
        </div>

        <div className="field">
          <label htmlFor={`${id}-default`}>{live('presets.card.defaultPreset')}</label>
          <select
            id={`${id}-default`}
            className="select"
            data-testid="chat-default-preset"
            value={shown.defaultPresetId}
            onChange={(e) => save({ defaultPresetId: e.target.value })}
          >
            {options(shown.defaultPresetId).map((p) => (
              <option key={p.id} value={p.id}>
                {presetName(p)}
              </option>
            ))}
          </select>
          <p className="hint">{live('presets.card.defaultPresetHint')}</p>
        </div>

        <details className="preset-per-model">
          <summary>{live('presets.card.perModel')}</summary>
          <p className="hint">{live('presets.card.perModelHint')}</p>
          {models.length === 0 && <p className="hint">{live('presets.card.noModels')}</p>}
          <ul className="preset-model-list">
            {models.map((m) => {
              const key = modelKey(m.path);
              const value = shown.presetByModel[key] ?? '';
              return (
                <li key={key} className="preset-model-row" data-testid="chat-model-preset" data-model={key}>
                  <label htmlFor={`${id}-m-${key}`} className="preset-model-name" title={m.path}>
                    {m.name}
                  </label>
                  <select
                    id={`${id}-m-${key}`}
                    className="select select-small"
                    value={value}
                    onChange={(e) => setModelPreset(key, e.target.value)}
                  >
                    <option value="">{live('presets.card.useDefault')}</option>
                    {options(value).map((p) => (
                      <option key={p.id} value={p.id}>
                        {presetName(p)}
                      </option>
                    ))}
                  </select>
                </li>
              );
            })}
          </ul>
        </details>
      </div>

      {update.error && <ErrorMessage error={update.error} compact />}

      <PresetEditor
        onDeleted={(presetId) => {
          // Whatever named the deleted preset goes back to the default (the first built-in for the default itself).
          const presetByModel = Object.fromEntries(
            Object.entries(shown.presetByModel).filter(([, v]) => v !== presetId),
          );
          const firstBuiltin = presets?.find((p) => p.builtin)?.id;
          const defaultPresetId =
            shown.defaultPresetId === presetId && firstBuiltin ? firstBuiltin : shown.defaultPresetId;
          if (
            defaultPresetId !== shown.defaultPresetId ||
            Object.keys(presetByModel).length !== Object.keys(shown.presetByModel).length
          ) {
            save({ defaultPresetId, presetByModel });
          }
        }}
      />
    </section>
  );
}
