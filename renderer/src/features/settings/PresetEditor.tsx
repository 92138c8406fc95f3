/**
 * Settings → Chat → Presets: built-in presets (read-only; Duplicate makes an editable copy) and the user's (edit,
 * delete). Saving goes through presets.save; the list follows presets.changed.
 */
import { useState } from 'react';
import type { ChatPreset } from '@shared/chat-schemas';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { PlusIcon } from '../../components/icons';
import { useLiveText } from '../../lib/useLiveText';
import { PresetForm } from './PresetForm';
import { copyOf, draftOf, emptyDraft, isKnownBuiltin, newPresetId, type PresetDraft } from './presets-data';
import { usePresetName, usePresets } from './usePresets';

export function PresetEditor({ onDeleted }: { onDeleted: (id: string) => void }) {
  const live = useLiveText();
  const client = useClient();
  const name = usePresetName();
  const { data: presets, error: loadError } = usePresets();
  const [editing, setEditing] = useState<{ draft: PresetDraft; isNew: boolean } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const taken = new Set((presets ?? []).map((p) => p.id));
  const startNew = (draft: PresetDraft) => {
    setError(null);
    setEditing({ draft, isNew: true });
  };
  const save = async (p: ChatPreset) => {
    setSaving(true);
    try {
      await client.call('presets.save', p);
      setEditing(null);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };
  const remove = async (id: string) => {
    setConfirming(null);
    try {
      await client.call('presets.delete', { id });
      setError(null);
      onDeleted(id);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="presets" data-testid="presets">
      <div className="presets-head">
        <h3 className="presets-title">{live('presets.list.title')}</h3>
        <button
          type="button"
          className="btn btn-small"
          data-testid="preset-new"
          onClick={() => startNew(emptyDraft(newPresetId(taken), live('presets.list.newName')))}
        >
          <PlusIcon size={14} />
          {live('presets.list.new')}
        </button>
      </div>
      <p className="hint">{live('presets.list.hint')}</p>
      {loadError && <ErrorMessage error={loadError} compact />}
      {error !== null && <ErrorMessage error={error} compact testId="preset-error" />}
      <ul className="preset-list">
        {presets?.map((p) => (
          <li key={p.id} className="preset-row" data-testid="preset-row" data-id={p.id} data-builtin={p.builtin}>
            <div className="preset-main">
              <span className="preset-name">
                {name(p)}
                {p.builtin && <span className="preset-badge">{live('presets.list.builtin')}</span>}
              </span>
              <span className="hint preset-summary">
                {p.builtin && isKnownBuiltin(p.id) ? live(`presets.builtinHint.${p.id}`) : summary(p, live)}
              </span>
            </div>
            <div className="preset-actions">
              <button
                type="button"
                className="btn btn-small"
                data-testid="preset-duplicate"
                onClick={() =>
                  startNew(copyOf(p, newPresetId(taken), live('presets.list.copyName', { name: name(p) }).slice(0, 80)))
                }
              >
                {live('presets.list.duplicate')}
              </button>
              {!p.builtin && (
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="preset-edit"
                  onClick={() => {
                    setError(null);
                    setEditing({ draft: draftOf(p), isNew: false });
                  }}
                >
                  {live('presets.list.edit')}
                </button>
              )}
              {!p.builtin &&
                (confirming === p.id ? (
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    data-testid="preset-delete-confirm"
                    onClick={() => void remove(p.id)}
                  >
                    {live('presets.list.confirmDelete', { name: p.name })}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small"
                    data-testid="preset-delete"
                    onClick={() => setConfirming(p.id)}
                  >
                    {live('presets.list.delete')}
                  </button>
                ))}
            </div>
          </li>
        ))}
      </ul>
      {editing && (
        <PresetForm
          key={editing.draft.id}
          initial={editing.draft}
          isNew={editing.isNew}
          saving={saving}
          onSave={(p) => void save(p)}
          onCancel={() => setEditing(null)}
        />
      )}
    </div>
  );
}

/** A user preset in one line: its prompt (start) or none, and the sampling it sets. */
function summary(p: ChatPreset, live: ReturnType<typeof useLiveText>): string {
  const parts: string[] = [];
  parts.push(p.systemPrompt ? truncate(p.systemPrompt, 60) : live('presets.list.noSystemPrompt'));
  if (p.instructionsInUserTurn) parts.push(live('presets.list.inUserTurn'));
  const s = p.sampling;
  const nums: [string, number | undefined][] = [
    ['temp', s.temperature],
    ['top_p', s.top_p],
    ['top_k', s.top_k],
    ['min_p', s.min_p],
    ['rep', s.repeat_penalty],
    ['max', s.max_tokens],
    ['seed', s.seed],
  ];
  for (const [k, v] of nums) if (v !== undefined) parts.push(`${k} ${v}`);
  return parts.join(' · ');
}

const truncate = (s: string, n: number) => {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
};
