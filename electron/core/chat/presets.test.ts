/** Presets: built-ins fixed, the user's kept in presets.json (atomic, a damaged file set aside), sampling layered. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatPreset } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import { tmpDir } from '../../test/helpers';
import { BUILTIN_PRESETS, choosePresetId, mergeSampling, PresetStore } from './presets';

const dirs: string[] = [];
const dir = () => {
  const d = tmpDir('dl-presets-');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const mine = (over: Partial<ChatPreset> = {}): ChatPreset => ({
  id: 'my-writer',
  name: 'Writer',
  builtin: false,
  systemPrompt: 'Write well.',
  instructionsInUserTurn: false,
  sampling: { temperature: 0.9 },
  ...over,
});

describe('built-in presets', () => {
  it('DeepSeek R1 guidance and a coding preset, ids stable', () => {
    const r1 = BUILTIN_PRESETS.find((p) => p.id === 'deepseek-r1')!;
    expect(r1).toMatchObject({
      builtin: true,
      systemPrompt: null,
      instructionsInUserTurn: true,
      sampling: { temperature: 0.6, top_p: 0.95 },
    });
    const coding = BUILTIN_PRESETS.find((p) => p.id === 'coding')!;
    expect(coding.systemPrompt?.length).toBeGreaterThan(20);
    expect(coding.sampling.temperature).toBeLessThanOrEqual(0.3);
  });
});

describe('PresetStore', () => {
  it('lists built-ins first, then the user’s; save replaces by id; delete removes; survives a restart', async () => {
    const d = dir();
    const store = new PresetStore(d);
    await store.save(mine());
    await store.save(mine({ id: 'other', name: 'Other' }));
    await store.save(mine({ name: 'Writer 2' }));
    const ids = (await store.list()).map((p) => p.id);
    expect(ids).toEqual([...BUILTIN_PRESETS.map((p) => p.id), 'my-writer', 'other']);
    expect((await store.get('my-writer'))?.name).toBe('Writer 2');
    expect(await store.delete('other')).toBe(true);
    expect(await store.delete('other')).toBe(false);
    const again = new PresetStore(d);
    expect((await again.list()).map((p) => p.id).at(-1)).toBe('my-writer');
    // Nothing of the atomic write is left beside the file.
    expect(fs.readdirSync(d)).toEqual(['presets.json']);
  });

  it.each([
    { why: 'a built-in id', preset: mine({ id: 'deepseek-r1' }) },
    { why: 'marked built-in', preset: mine({ builtin: true }) },
  ])('refuses to save $why (PRESET_BUILTIN)', async ({ preset }) => {
    const err = await new PresetStore(dir()).save(preset).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('PRESET_BUILTIN');
  });

  it('refuses to delete a built-in', async () => {
    const err = await new PresetStore(dir()).delete('coding').catch((e: unknown) => e);
    expect((err as AppError).code).toBe('PRESET_BUILTIN');
  });

  it('a damaged file is set aside, not overwritten, and the built-ins still list', async () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 'presets.json'), '{"version":1,"presets":[{"id":');
    const logs: string[] = [];
    const store = new PresetStore(d, (m) => logs.push(m));
    expect((await store.list()).length).toBe(BUILTIN_PRESETS.length);
    expect(fs.readdirSync(d).some((f) => f.startsWith('presets.json.corrupt-'))).toBe(true);
    expect(logs.join()).toMatch(/unreadable/);
  });

  it('a full disk changes nothing (DISK_FULL; memory stays as the file)', async () => {
    const full = {
      mkdir: async () => undefined,
      open: async () => {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
      rename: async () => undefined,
      rm: async () => undefined,
    };
    const store = new PresetStore(dir(), () => undefined, { fs: full });
    const err = await store.save(mine()).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('DISK_FULL');
    expect(await store.get('my-writer')).toBeNull();
  });
});

describe('which preset and sampling a reply uses', () => {
  const chat = { defaultPresetId: 'deepseek-r1', presetByModel: { 'qwen-coder.gguf': 'coding' } };
  it.each([
    { why: 'the conversation’s own', conv: 'balanced', model: 'qwen-coder.gguf', id: 'balanced' },
    { why: 'else the model’s', conv: null, model: 'qwen-coder.gguf', id: 'coding' },
    { why: 'else the default', conv: null, model: 'other.gguf', id: 'deepseek-r1' },
    { why: 'no model loaded', conv: null, model: null, id: 'deepseek-r1' },
    { why: 'a name that is an object key is not a model', conv: null, model: 'constructor', id: 'deepseek-r1' },
  ])('$why', ({ conv, model, id }) => {
    expect(choosePresetId(conv, chat, model)).toBe(id);
  });

  it('settings, then preset, then the request: later wins field by field; unset fields do not erase', () => {
    expect(
      mergeSampling({ temperature: 0.8, max_tokens: 100 }, { temperature: 0.6, top_p: 0.95 }, { top_p: 0.5, seed: 1 }),
    ).toEqual({ temperature: 0.6, max_tokens: 100, top_p: 0.5, seed: 1 });
    expect(mergeSampling({ temperature: 0.8 }, { temperature: undefined })).toEqual({ temperature: 0.8 });
  });
});
