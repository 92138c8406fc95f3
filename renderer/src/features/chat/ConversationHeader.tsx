/**
 * How the model is asked in this conversation: its preset (with "default for this model", saved in
 * settings.chat.presetByModel) and its system prompt. Before a new chat's first message the choice is held and sent
 * with conversations.create.
 */
import { useId, useState } from 'react';
import { useClient } from '../../api/context';
import { useBackendStatus, useSettings, useUpdateSettings } from '../../api/queries';
import { useLiveText } from '../../lib/useLiveText';
import { useChat } from '../../stores/chat';
import { modelKey } from '../settings/ChatSettingsCard';
import { usePresetName, usePresets } from '../settings/usePresets';
import { updateSetup } from './controller';

const PREVIEW_CHARS = 60;

function SystemPromptEditor({ value, onDone }: { value: string; onDone: (v: string | null) => void }) {
  const tl = useLiveText();
  const [text, setText] = useState(value);
  return (
    <div className="system-editor" data-testid="system-editor">
      <textarea
        className="composer-input"
        data-testid="system-input"
        autoFocus
        rows={4}
        value={text}
        placeholder={tl('thread.header.systemPlaceholder')}
        aria-label={tl('thread.header.systemPrompt')}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone(null);
          }
        }}
      />
      <div className="edit-row">
        <button type="button" className="btn btn-small" onClick={() => onDone(null)}>
          {tl('thread.header.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-small btn-primary"
          data-testid="system-save"
          onClick={() => onDone(text)}
        >
          {tl('thread.header.save')}
        </button>
      </div>
    </div>
  );
}

export function ConversationHeader() {
  const tl = useLiveText();
  const id = useId();
  const client = useClient();
  const { data: presets } = usePresets();
  const presetName = usePresetName();
  const { data: settings } = useSettings();
  const update = useUpdateSettings();
  const { data: status } = useBackendStatus();
  const meta = useChat((s) => s.meta);
  const setup = useChat((s) => s.setup);
  const [editing, setEditing] = useState(false);
  // The switch flips at once; the saved settings take over when the core answers.
  const [flipped, setFlipped] = useState<boolean | null>(null);

  const model = status?.model ? modelKey(status.model.path) : null;
  const chat = settings?.chat;
  const modelDefault = model && chat ? (chat.presetByModel[model] ?? null) : null;
  const presetId = (meta ? meta.presetId : setup.presetId) ?? modelDefault ?? chat?.defaultPresetId ?? '';
  const preset = presets?.find((p) => p.id === presetId);
  const systemPrompt = (meta ? meta.systemPrompt : setup.systemPrompt) ?? null;
  const shownPrompt = systemPrompt ?? preset?.systemPrompt ?? null;
  const isModelDefault = flipped ?? (!!model && modelDefault === presetId);

  const toggleModelDefault = () => {
    if (!model || !chat) return;
    const presetByModel = { ...chat.presetByModel };
    if (isModelDefault) delete presetByModel[model];
    else presetByModel[model] = presetId;
    setFlipped(!isModelDefault);
    update.mutate({ chat: { ...chat, presetByModel } }, { onSettled: () => setFlipped(null) });
  };

  return (
    <div className="conv-header" data-testid="conv-header">
      <label className="conv-preset" htmlFor={`${id}-preset`}>
        <span className="muted">{tl('thread.header.preset')}</span>
        <select
          id={`${id}-preset`}
          className="select select-small"
          data-testid="preset-select"
          aria-label={tl('thread.header.presetLabel')}
          value={presetId}
          onChange={(e) => void updateSetup(client, { presetId: e.target.value })}
        >
          {(presets ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {presetName(p)}
            </option>
          ))}
          {presets && presetId && !preset && <option value={presetId}>{presetId}</option>}
        </select>
      </label>
      {model && (
        <label className="conv-model-default" title={tl('thread.header.defaultForModelTitle', { model })}>
          <input
            type="checkbox"
            data-testid="preset-model-default"
            checked={isModelDefault}
            disabled={!chat || !presetId}
            onChange={toggleModelDefault}
          />
          {tl('thread.header.defaultForModel')}
        </label>
      )}
      <button
        type="button"
        className="btn btn-small btn-ghost conv-system"
        data-testid="system-edit"
        title={shownPrompt ?? tl('thread.header.none')}
        onClick={() => setEditing((v) => !v)}
      >
        <span className="muted">{tl('thread.header.systemPrompt')}:</span>{' '}
        <span className="conv-system-text" data-testid="system-preview">
          {preset?.instructionsInUserTurn && systemPrompt === null
            ? tl('thread.header.none')
            : shownPrompt
              ? shownPrompt.length > PREVIEW_CHARS
                ? `${shownPrompt.slice(0, PREVIEW_CHARS - 1)}…`
                : shownPrompt
              : tl('thread.header.none')}
        </span>
      </button>
      {editing && (
        <SystemPromptEditor
          value={systemPrompt ?? ''}
          onDone={(v) => {
            setEditing(false);
            if (v !== null) void updateSetup(client, { systemPrompt: v.trim() === '' ? null : v });
          }}
        />
      )}
      {editing && preset?.instructionsInUserTurn && <p className="hint">{tl('thread.header.inUserTurn')}</p>}
    </div>
  );
}
