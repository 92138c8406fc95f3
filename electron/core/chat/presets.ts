/**
 * Chat presets: the built-in ones (fixed, in code) and the user's, kept in <dataDir>/presets.json (written
 * atomically; a file that does not parse is set aside, never overwritten). Built-in names are English here and
 * stable by id: the UI shows its own translation of a built-in preset's name by its id.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ChatPreset } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import type { ChatSettings, SamplingParams } from '../../shared/schemas';
import { WriteQueue, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { setAside } from '../util/set-aside';

export const BUILTIN_PRESETS: readonly ChatPreset[] = Object.freeze([
  {
    // DeepSeek's usage recommendations for R1: temperature 0.5-0.7 (0.6), top_p 0.95, no system prompt, every
    // instruction in the user prompt.
    id: 'deepseek-r1',
    name: 'DeepSeek R1',
    builtin: true,
    systemPrompt: null,
    instructionsInUserTurn: true,
    sampling: { temperature: 0.6, top_p: 0.95 },
  },
  {
    id: 'coding',
    name: 'Coding',
    builtin: true,
    systemPrompt:
      'You are an expert software engineer. Answer with correct, idiomatic, complete code in fenced code blocks ' +
      'tagged with their language. Keep explanations short and specific; state assumptions; point out bugs, edge ' +
      'cases and security problems you notice. Do not invent APIs: say so when you are unsure.',
    instructionsInUserTurn: false,
    sampling: { temperature: 0.2, top_p: 0.95 },
  },
  {
    id: 'balanced',
    name: 'Balanced',
    builtin: true,
    systemPrompt: 'You are a helpful, honest assistant. Answer clearly and concisely, in the language of the question.',
    instructionsInUserTurn: false,
    sampling: { temperature: 0.7, top_p: 0.9 },
  },
]);

const builtinIds = new Set(BUILTIN_PRESETS.map((p) => p.id));
export const isBuiltinPreset = (id: string) => builtinIds.has(id);

/** The preset used when nothing names one, or the named one is gone. */
export const FALLBACK_PRESET_ID = 'deepseek-r1';
export const MAX_USER_PRESETS = 200;

const PresetsFile = z.object({ version: z.literal(1), presets: z.array(ChatPreset).max(MAX_USER_PRESETS) });

/**
 * Which preset a reply uses: the conversation's, else the one set for the loaded model (by file name), else the
 * default from settings.
 */
export function choosePresetId(
  conversationPresetId: string | null,
  chat: Pick<ChatSettings, 'defaultPresetId' | 'presetByModel'>,
  modelFileName: string | null,
): string {
  if (conversationPresetId) return conversationPresetId;
  if (modelFileName && Object.hasOwn(chat.presetByModel, modelFileName)) return chat.presetByModel[modelFileName]!;
  return chat.defaultPresetId;
}

/** The settings' defaults, then the preset's, then the request's own: a later one wins field by field. */
export function mergeSampling(...layers: (SamplingParams | undefined)[]): SamplingParams {
  const out: SamplingParams = {};
  for (const layer of layers)
    for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export class PresetStore {
  private user: ChatPreset[] | null = null;
  private readonly queue = new WriteQueue();
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly io: { fs?: AtomicFs } = {},
  ) {
    this.file = path.join(dataDir, 'presets.json');
  }

  private async load(): Promise<ChatPreset[]> {
    if (this.user) return this.user;
    let raw: string | null = null;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch {
      /* none saved yet */
    }
    let user: ChatPreset[] = [];
    if (raw !== null) {
      try {
        user = PresetsFile.parse(JSON.parse(raw)).presets.filter((p) => !isBuiltinPreset(p.id));
      } catch (e) {
        const aside = await setAside(this.file);
        this.log(
          `presets file was unreadable (${(e as Error).message.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}`,
        );
      }
    }
    this.user ??= user;
    return this.user;
  }

  /** Built-in presets first, then the user's in the order they were first saved. */
  async list(): Promise<ChatPreset[]> {
    return [...BUILTIN_PRESETS, ...(await this.load())];
  }

  async get(id: string): Promise<ChatPreset | null> {
    return (await this.list()).find((p) => p.id === id) ?? null;
  }

  /** Creates or replaces a user preset. The file is written before memory changes, so a full disk changes nothing. */
  async save(preset: ChatPreset): Promise<ChatPreset> {
    if (preset.builtin || isBuiltinPreset(preset.id)) throw new AppError('PRESET_BUILTIN');
    return this.queue.run(async () => {
      const cur = await this.load();
      const i = cur.findIndex((p) => p.id === preset.id);
      if (i < 0 && cur.length >= MAX_USER_PRESETS)
        throw new AppError('INVALID_PARAMS', { issues: `at most ${MAX_USER_PRESETS} presets` });
      const next = i < 0 ? [...cur, preset] : cur.map((p, k) => (k === i ? preset : p));
      await this.write(next);
      this.user = next;
      return preset;
    });
  }

  async delete(id: string): Promise<boolean> {
    if (isBuiltinPreset(id)) throw new AppError('PRESET_BUILTIN');
    return this.queue.run(async () => {
      const cur = await this.load();
      if (!cur.some((p) => p.id === id)) return false;
      const next = cur.filter((p) => p.id !== id);
      await this.write(next);
      this.user = next;
      return true;
    });
  }

  private write(presets: ChatPreset[]): Promise<void> {
    const text = JSON.stringify({ version: 1, presets }, null, 2) + '\n';
    return writeFileAtomic(this.file, text, 0o644, this.io.fs ? { fs: this.io.fs } : {});
  }
}
