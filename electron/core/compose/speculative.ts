/**
 * backend.start's speculative-decoding step (compose/start-steps.ts): reads what the check needs from the GGUF
 * headers (the draft's and the target's vocabulary, the target's MTP layers) and refuses, before anything starts,
 * what models/draft-check.ts says cannot work. The draft path comes back resolved (absolute, ~ expanded).
 */
import path from 'node:path';
import { AppError, type Lang } from '../../shared/errors';
import type { LoadOptions } from '../../shared/schemas';

type Language = 'system' | Lang;
import { formatGB } from '../models/fit';
import { readGgufFile } from '../models/gguf';
import { inspectModel } from '../models/inspect';
import { nextnLayersOf, speculativeProblem, TOKENS_KEY, vocabFromHeader } from '../models/draft-check';
import { expandHome } from '../util/safe-path';
import type { StartInput, StartStep } from './start-steps';

/** Why a draft file cannot be used, in the user's language (the DRAFT_INVALID message's {{reason}}). */
const REASONS = {
  en: {
    MODEL_NOT_FOUND: 'there is no file there',
    MODEL_NOT_FILE: 'it is a folder, a pipe or a device, not a file',
    MODEL_NOT_GGUF: 'it is not a GGUF model file',
    MODEL_TRUNCATED: 'the file is incomplete (truncated or still downloading)',
    MODEL_CORRUPT: 'the file is damaged',
    other: 'the file cannot be read',
  },
  'zh-CN': {
    MODEL_NOT_FOUND: '该位置没有文件',
    MODEL_NOT_FILE: '它是文件夹、管道或设备，不是文件',
    MODEL_NOT_GGUF: '它不是 GGUF 模型文件',
    MODEL_TRUNCATED: '文件不完整（被截断或仍在下载）',
    MODEL_CORRUPT: '文件已损坏',
    other: '无法读取该文件',
  },
} as const;

export function draftInvalidReason(lang: Lang, code: string): string {
  const t = REASONS[lang];
  return code in t ? t[code as keyof typeof t] : t.other;
}

/** settings.language → the language of the messages the core writes itself ('system' follows the OS locale). */
export function resolveLang(language: Language, systemLocale: string): Lang {
  if (language !== 'system') return language;
  return systemLocale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

const KEEP_TOKENS = new Set([TOKENS_KEY]);

/** The vocabulary (token texts kept) and MTP layers of a GGUF's first shard. */
async function headerFacts(file: string) {
  const h = await readGgufFile(file, { keepArrays: KEEP_TOKENS });
  return { vocab: vocabFromHeader(h), nextnLayers: nextnLayersOf(h) };
}

export interface SpeculativeStepDeps {
  /** The user's language setting (settings.language). */
  language: () => Promise<Language>;
  systemLocale?: string;
}

export function speculativeStep(deps: SpeculativeStepDeps): StartStep {
  return async ({ model, options }: StartInput): Promise<LoadOptions> => {
    const sp = options.speculative;
    if (sp.mode === 'off' || sp.mode === 'ngram') return options;
    if (sp.mode === 'mtp') {
      // backend.start's inspectModel read {arch}.nextn_predict_layers (absent = none).
      const nextnLayers = model.nextnLayers ?? 0;
      const p = speculativeProblem(sp, { sizeBytes: model.sizeBytes, nextnLayers, vocab: null }, null, formatGB);
      if (p) throw new AppError(p.code, p.params);
      return options;
    }
    if (!sp.draftModel) throw new AppError('DRAFT_REQUIRED');
    const draftPath = path.resolve(expandHome(sp.draftModel));
    let draftInfo;
    try {
      draftInfo = await inspectModel(draftPath);
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'other';
      const lang = resolveLang(
        await deps.language(),
        deps.systemLocale ?? (Intl.DateTimeFormat().resolvedOptions().locale || process.env.LANG || 'en'),
      );
      throw new AppError(
        'DRAFT_INVALID',
        { path: draftPath, reason: draftInvalidReason(lang, code) },
        (e as Error).message,
      );
    }
    const [target, draft] = await Promise.all([headerFacts(model.path), headerFacts(draftInfo.path)]);
    const p = speculativeProblem(
      sp,
      { sizeBytes: model.sizeBytes, ...target },
      { sizeBytes: draftInfo.sizeBytes, vocab: draft.vocab },
      formatGB,
    );
    if (p) throw new AppError(p.code, p.params);
    return { ...options, speculative: { ...sp, draftModel: draftPath } };
  };
}
