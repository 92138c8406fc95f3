/**
 * A conversation reply's figures (pure; reply-timings.test.ts). A finished reply takes llama-server's final
 * timings. A reply cut short (stopped, backend crashed) never gets them, so the request asks for prompt progress
 * (`return_progress`): its last report still says how many tokens the prompt had and how long they took, and our
 * own count and clock give the generation speed. No more "0 in" for a stopped reply.
 */
import type { ChatTimings } from '../../shared/schemas';
import type { LlamaTimings, PromptProgress } from './completion-client';

export interface ReplyMeasure {
  /** From llama-server's last chunk; absent when the reply was cut. */
  final?: LlamaTimings | undefined;
  /** The last prompt progress report, if any came. */
  progress?: PromptProgress | undefined;
  /** Chunks with text we received (one token each from llama-server). */
  tokens: number;
  /** Request sent → first text, and first text → end, by our clock; null: no text came. */
  ttftMs: number | null;
  generateMs: number;
}

export function replyTimings(m: ReplyMeasure): ChatTimings | null {
  const t = m.final;
  if (t && typeof t.prompt_n === 'number') {
    const predictedTokens = t.predicted_n ?? m.tokens;
    const predictedMs = t.predicted_ms ?? m.generateMs;
    return {
      promptTokens: (t.cache_n ?? 0) + t.prompt_n,
      cachedTokens: t.cache_n ?? 0,
      promptMs: t.prompt_ms ?? 0,
      predictedTokens,
      predictedMs,
      tokensPerSecond: t.predicted_per_second ?? (predictedMs > 0 ? (predictedTokens * 1000) / predictedMs : 0),
      ttftMs: m.ttftMs ?? 0,
      ...(typeof t.draft_n === 'number' && t.draft_n > 0
        ? { draftTokens: t.draft_n, draftAccepted: Math.min(t.draft_n, t.draft_n_accepted ?? 0) }
        : {}),
    };
  }
  const p = m.progress;
  if (!p && m.tokens === 0) return null;
  // The first token ends the prompt's processing; one token over no time has no speed.
  const spanTokens = Math.max(0, m.tokens - 1);
  return {
    promptTokens: p?.total ?? 0,
    cachedTokens: p?.cache ?? 0,
    promptMs: p?.time_ms ?? 0,
    predictedTokens: m.tokens,
    predictedMs: m.generateMs,
    tokensPerSecond: m.generateMs > 0 && spanTokens > 0 ? (spanTokens * 1000) / m.generateMs : 0,
    ttftMs: m.ttftMs ?? 0,
  };
}
