/**
 * The speculative-decoding figures of a reply (pure; spec-stats.test.ts): the share of guessed tokens the model kept,
 * and tokens per model pass. Every accepted guess is a token the model did not need a pass of its own for, so
 * passes = generated − accepted and tokens per pass = generated / passes (1 without speculation). That counts passes
 * saved, not time (guessing and checking cost time too), and the UI says so.
 */
import type { ChatTimings } from '@shared/schemas';

export interface SpecFigures {
  drafted: number;
  accepted: number;
  /** 0..1 */
  rate: number;
  tokensPerPass: number;
}

export function specFigures(t: ChatTimings | null): SpecFigures | null {
  if (!t || !t.draftTokens || t.draftTokens <= 0) return null;
  const accepted = Math.max(0, Math.min(t.draftAccepted ?? 0, t.draftTokens));
  const passes = Math.max(1, t.predictedTokens - accepted);
  return {
    drafted: t.draftTokens,
    accepted,
    rate: accepted / t.draftTokens,
    tokensPerPass: Math.max(1, t.predictedTokens / passes),
  };
}
