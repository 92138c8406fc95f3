/**
 * Speculative decoding, before anything starts: does the draft model share the target's vocabulary, is it smaller,
 * does the model carry MTP layers. Pure (the headers are read in compose/speculative.ts); table-tested in
 * draft-check.test.ts.
 *
 * The vocabulary rule is llama.cpp's own at the pinned release (common/speculative.cpp,
 * common_speculative_are_compatible), so we refuse exactly what llama-server would refuse (with a cryptic
 * "draft model vocab type must match" after loading both models) and accept what it accepts:
 *  - the same tokenizer model (tokenizer.ggml.model: llama / gpt2 / …);
 *  - the same BOS id when BOS is added, the same EOS id when EOS is added, and the same add-BOS / add-EOS choice;
 *  - vocabulary sizes at most 128 apart (R1-Distill-Qwen-1.5B has 151,936 tokens, the 7B 152,064: padding);
 *  - the same text for every token from id 5 up to the shorter vocabulary's end (this covers the special tokens:
 *    <｜begin▁of▁sentence｜>, <think>, the chat-template markers …).
 * The pre-tokenizer (tokenizer.ggml.pre) is reported but not refused: llama.cpp drafts token ids, and a Qwen2.5
 * drafter ("qwen2") speeds up an R1 distill ("deepseek-r1-qwen") with the same token list.
 */
import type { ErrorCode } from '../../shared/errors';
import type { SpeculativeOptions } from '../../shared/backend-options';
import type { GgufHeader, GgufValue } from './gguf';

/** llama.cpp's SPEC_VOCAB_MAX_SIZE_DIFFERENCE and SPEC_VOCAB_CHECK_START_TOKEN_ID. */
export const VOCAB_MAX_SIZE_DIFFERENCE = 128;
export const VOCAB_CHECK_START_ID = 5;

export const TOKENS_KEY = 'tokenizer.ggml.tokens';

export interface VocabFacts {
  /** tokenizer.ggml.model (llama, gpt2, t5 …); null when absent. */
  model: string | null;
  pre: string | null;
  /** Number of tokens (the length of tokenizer.ggml.tokens). */
  size: number;
  /** The token texts when the header was read with them kept; null otherwise (then only the count is compared). */
  tokens: readonly string[] | null;
  bosId: number | null;
  eosId: number | null;
  /** Whether BOS / EOS are added to a prompt (explicit, else llama.cpp's default for the tokenizer model). */
  addBos: boolean;
  addEos: boolean;
}

/** What the check needs of the model to speed up. */
export interface SpecTarget {
  /** All shards. */
  sizeBytes: number;
  /** {arch}.nextn_predict_layers; 0 when absent. */
  nextnLayers: number;
  /** Read for mode 'draft' only (null otherwise). */
  vocab: VocabFacts | null;
}

/** What the check needs of the draft model. */
export interface SpecDraft {
  sizeBytes: number;
  vocab: VocabFacts;
}

export interface SpecProblem {
  code: ErrorCode;
  params?: Record<string, string | number>;
}

const num = (v: GgufValue | undefined): number | null =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
const str = (v: GgufValue | undefined): string | null => (typeof v === 'string' ? v : null);

/** The vocabulary facts of a header (read with tokenizer.ggml.tokens kept, or not: then tokens is null). */
export function vocabFromHeader(h: Pick<GgufHeader, 'metadata'>): VocabFacts {
  const m = h.metadata;
  const model = str(m.get('tokenizer.ggml.model'));
  const tokens = m.get(TOKENS_KEY);
  const arr = typeof tokens === 'object' && tokens !== null ? tokens : null;
  const texts = arr?.values && arr.values.length === arr.length ? arr.values.map(String) : null;
  const flag = (key: string, dflt: boolean) => {
    const v = m.get(key);
    return typeof v === 'boolean' ? v : dflt;
  };
  // llama-vocab.cpp: SentencePiece ("llama") adds BOS by default, T5's unigram adds EOS; BPE adds neither unless
  // its pre-tokenizer or the GGUF says so (the converters write add_bos_token for those).
  return {
    model,
    pre: str(m.get('tokenizer.ggml.pre')),
    size: arr?.length ?? 0,
    tokens: texts,
    bosId: num(m.get('tokenizer.ggml.bos_token_id')),
    eosId: num(m.get('tokenizer.ggml.eos_token_id')),
    addBos: flag('tokenizer.ggml.add_bos_token', model === 'llama'),
    addEos: flag('tokenizer.ggml.add_eos_token', model === 't5'),
  };
}

/** {arch}.nextn_predict_layers (DeepSeek V3/R1, GLM-4.5 …): the multi-token-prediction layers draft-mtp uses. */
export function nextnLayersOf(h: Pick<GgufHeader, 'metadata'>): number {
  const arch = str(h.metadata.get('general.architecture'));
  if (!arch) return 0;
  const n = num(h.metadata.get(`${arch}.nextn_predict_layers`));
  return n !== null && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

const show = (v: string | number | boolean | null): string => {
  if (v === null) return '—';
  if (typeof v !== 'string') return String(v);
  const s = JSON.stringify(v);
  return s.length > 42 ? `${s.slice(0, 40)}…"` : s;
};

/** The first difference llama.cpp would refuse, named by its GGUF key; null when the draft can draft for the target. */
export function compareVocab(
  target: VocabFacts,
  draft: VocabFacts,
): { what: string; draft: string; target: string } | null {
  const diff = (what: string, d: string | number | boolean | null, t: string | number | boolean | null) => ({
    what,
    draft: show(d),
    target: show(t),
  });
  if (target.model !== draft.model) return diff('tokenizer.ggml.model', draft.model, target.model);
  if (Math.abs(target.size - draft.size) > VOCAB_MAX_SIZE_DIFFERENCE)
    return diff(`${TOKENS_KEY} (count)`, draft.size, target.size);
  if (target.addBos !== draft.addBos) return diff('tokenizer.ggml.add_bos_token', draft.addBos, target.addBos);
  if (target.addBos && target.bosId !== draft.bosId)
    return diff('tokenizer.ggml.bos_token_id', draft.bosId, target.bosId);
  if (target.addEos !== draft.addEos) return diff('tokenizer.ggml.add_eos_token', draft.addEos, target.addEos);
  if (target.addEos && target.eosId !== draft.eosId)
    return diff('tokenizer.ggml.eos_token_id', draft.eosId, target.eosId);
  if (target.tokens && draft.tokens) {
    const n = Math.min(target.tokens.length, draft.tokens.length);
    for (let i = VOCAB_CHECK_START_ID; i < n; i++) {
      if (target.tokens[i] !== draft.tokens[i]) return diff(`${TOKENS_KEY}[${i}]`, draft.tokens[i]!, target.tokens[i]!);
    }
  }
  return null;
}

/**
 * What stops these speculative options on this target, or null. `draft` is null when no draft was read (mode other
 * than 'draft'); a draft that could not be read at all is the caller's DRAFT_INVALID.
 */
export function speculativeProblem(
  sp: Pick<SpeculativeOptions, 'mode' | 'draftModel'>,
  target: SpecTarget,
  draft: SpecDraft | null,
  formatBytes: (n: number) => string,
): SpecProblem | null {
  switch (sp.mode) {
    case 'off':
    case 'ngram':
      return null;
    case 'mtp':
      return target.nextnLayers > 0 ? null : { code: 'SPEC_MTP_UNAVAILABLE' };
    case 'draft': {
      if (!sp.draftModel) return { code: 'DRAFT_REQUIRED' };
      if (!draft) return { code: 'DRAFT_INVALID', params: { path: sp.draftModel, reason: '—' } };
      if (draft.sizeBytes >= target.sizeBytes)
        return {
          code: 'DRAFT_TOO_BIG',
          params: { draft: formatBytes(draft.sizeBytes), target: formatBytes(target.sizeBytes) },
        };
      const m = target.vocab ? compareVocab(target.vocab, draft.vocab) : null;
      return m ? { code: 'DRAFT_VOCAB_MISMATCH', params: m } : null;
    }
  }
}
