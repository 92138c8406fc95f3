import { describe, expect, it } from 'vitest';
import type { ChatPreset } from '@shared/chat-schemas';
import { ChatPreset as ChatPresetSchema } from '@shared/chat-schemas';
import { copyOf, draftOf, emptyDraft, isKnownBuiltin, newPresetId, presetOf } from './presets-data';

const r1: ChatPreset = {
  id: 'deepseek-r1',
  name: 'DeepSeek-R1',
  builtin: true,
  systemPrompt: null,
  instructionsInUserTurn: true,
  sampling: { temperature: 0.6, top_p: 0.95 },
};

describe('presets editor data', () => {
  it('a copy of a built-in is a user preset with the same prompt and sampling, saved under a new id', () => {
    const p = presetOf(copyOf(r1, 'user-1', 'Mine'));
    expect(p).toEqual({ ...r1, id: 'user-1', name: 'Mine', builtin: false });
    expect(ChatPresetSchema.safeParse(p).success).toBe(true);
  });

  it('editing does not touch the preset it came from', () => {
    const d = draftOf(r1);
    d.sampling.temperature = 1;
    expect(r1.sampling.temperature).toBe(0.6);
  });

  it.each<[string, Partial<ReturnType<typeof emptyDraft>>, Partial<ChatPreset> | null]>([
    ['no name', { name: '  ' }, null],
    ['name trimmed and cut to 80', { name: ` ${'n'.repeat(100)} ` }, { name: 'n'.repeat(80) }],
    ['blank system prompt is none', { systemPrompt: ' \n ' }, { systemPrompt: null }],
    ['system prompt kept as typed', { systemPrompt: ' Be brief. ' }, { systemPrompt: ' Be brief. ' }],
    [
      'unset numbers are the model default',
      { sampling: { temperature: undefined, top_k: 40 } },
      { sampling: { top_k: 40 } },
    ],
    ['NaN is dropped', { sampling: { min_p: Number.NaN, seed: 7 } }, { sampling: { seed: 7 } }],
  ])('%s', (_n, patch, expected) => {
    const p = presetOf({ ...emptyDraft('user-x', 'x'), ...patch });
    if (expected === null) expect(p).toBeNull();
    else {
      expect(p).toMatchObject(expected);
      expect(ChatPresetSchema.safeParse(p).success).toBe(true);
    }
  });

  it('new ids are valid preset ids and avoid taken ones', () => {
    const seq = [0, 0, 0.5];
    const id = newPresetId(new Set(['user-00000000']), () => seq.shift()!);
    expect(id).not.toBe('user-00000000');
    expect(/^[A-Za-z0-9_-]{1,64}$/.test(id)).toBe(true);
  });

  it('knows the built-ins it has names for', () => {
    expect(isKnownBuiltin('deepseek-r1')).toBe(true);
    expect(isKnownBuiltin('constructor')).toBe(false);
  });
});
