import { describe, expect, it } from 'vitest';
import type { ChatTimings } from '@shared/schemas';
import { specFigures } from './spec-stats';

const base: ChatTimings = {
  promptTokens: 10,
  promptMs: 5,
  predictedTokens: 100,
  predictedMs: 1000,
  tokensPerSecond: 100,
  ttftMs: 20,
};

describe('specFigures', () => {
  it.each<{ name: string; t: ChatTimings | null; want: ReturnType<typeof specFigures> }>([
    { name: 'no timings', t: null, want: null },
    { name: 'no speculative decoding', t: base, want: null },
    { name: 'nothing drafted', t: { ...base, draftTokens: 0, draftAccepted: 0 }, want: null },
    // 100 tokens, 60 of them accepted guesses: 40 model passes → 2.5 tokens per pass.
    {
      name: 'most guesses kept',
      t: { ...base, draftTokens: 80, draftAccepted: 60 },
      want: { drafted: 80, accepted: 60, rate: 0.75, tokensPerPass: 2.5 },
    },
    // Every guess rejected: one token per pass, the drafting was pure cost.
    {
      name: 'every guess rejected',
      t: { ...base, draftTokens: 300, draftAccepted: 0 },
      want: { drafted: 300, accepted: 0, rate: 0, tokensPerPass: 1 },
    },
    {
      name: 'accepted never above drafted or generated',
      t: { ...base, predictedTokens: 5, draftTokens: 8, draftAccepted: 20 },
      want: { drafted: 8, accepted: 8, rate: 1, tokensPerPass: 5 },
    },
  ])('$name', ({ t, want }) => {
    expect(specFigures(t)).toEqual(want);
  });
});
