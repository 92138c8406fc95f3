/**
 * Pure helpers of the presets editor (presets-data.test.ts): names of built-ins by id, a copy of a preset, a new id,
 * and the editor's draft ↔ preset.
 */
import type { ChatPreset } from '@shared/chat-schemas';
import type { SamplingParams } from '@shared/schemas';

/** Built-ins the UI has a translated name for (presets.builtin.<id>); others show the name the core gave. */
export const KNOWN_BUILTINS = ['deepseek-r1', 'coding', 'balanced'] as const;
export type KnownBuiltin = (typeof KNOWN_BUILTINS)[number];
export const isKnownBuiltin = (id: string): id is KnownBuiltin => (KNOWN_BUILTINS as readonly string[]).includes(id);

/** A preset id that is new among `taken` (ids are ≤ 64 of [A-Za-z0-9_-]). */
export function newPresetId(taken: ReadonlySet<string>, random: () => number = Math.random): string {
  for (;;) {
    const id = `user-${Math.floor(random() * 36 ** 8)
      .toString(36)
      .padStart(8, '0')}`;
    if (!taken.has(id)) return id;
  }
}

/** The editor's fields: text as typed, numbers as the NumberFields hold them (null: the model's default). */
export interface PresetDraft {
  id: string;
  name: string;
  systemPrompt: string;
  instructionsInUserTurn: boolean;
  sampling: SamplingParams;
}

export const draftOf = (p: ChatPreset): PresetDraft => ({
  id: p.id,
  name: p.name,
  systemPrompt: p.systemPrompt ?? '',
  instructionsInUserTurn: p.instructionsInUserTurn,
  sampling: { ...p.sampling },
});

/** A user copy of any preset (the way to change a built-in), under a new id and name. */
export const copyOf = (p: ChatPreset, id: string, name: string): PresetDraft => ({ ...draftOf(p), id, name });

export const emptyDraft = (id: string, name: string): PresetDraft => ({
  id,
  name,
  systemPrompt: '',
  instructionsInUserTurn: false,
  sampling: {},
});

/** What presets.save gets; null when the draft cannot be saved (no name). Names are cut to the contract's 80. */
export function presetOf(d: PresetDraft): ChatPreset | null {
  const name = d.name.trim().slice(0, 80);
  if (name === '') return null;
  const sampling: SamplingParams = {};
  for (const [k, v] of Object.entries(d.sampling) as [keyof SamplingParams, number | undefined][]) {
    if (typeof v === 'number' && Number.isFinite(v)) sampling[k] = v;
  }
  return {
    id: d.id,
    name,
    builtin: false,
    systemPrompt: d.systemPrompt.trim() === '' ? null : d.systemPrompt,
    instructionsInUserTurn: d.instructionsInUserTurn,
    sampling,
  };
}
