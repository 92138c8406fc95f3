/** A reply's figures: llama-server's when it finished, the prompt progress and our own count when it was cut. */
import { describe, expect, it } from 'vitest';
import { replyTimings } from './reply-timings';

describe('replyTimings', () => {
  it('a finished reply: the server’s figures, the prompt counting its cached part', () => {
    expect(
      replyTimings({
        final: {
          cache_n: 90,
          prompt_n: 10,
          prompt_ms: 5,
          predicted_n: 50,
          predicted_ms: 250,
          predicted_per_second: 200,
        },
        progress: { total: 100, cache: 90, processed: 100, time_ms: 5 },
        tokens: 50,
        ttftMs: 12,
        generateMs: 251,
      }),
    ).toEqual({
      promptTokens: 100,
      cachedTokens: 90,
      promptMs: 5,
      predictedTokens: 50,
      predictedMs: 250,
      tokensPerSecond: 200,
      ttftMs: 12,
    });
  });

  it('a stopped reply is not "0 in": the prompt progress gives its tokens, our clock the speed', () => {
    expect(
      replyTimings({
        progress: { total: 321, cache: 0, processed: 321, time_ms: 40 },
        tokens: 11,
        ttftMs: 45,
        generateMs: 100,
      }),
    ).toEqual({
      promptTokens: 321,
      cachedTokens: 0,
      promptMs: 40,
      predictedTokens: 11,
      predictedMs: 100,
      tokensPerSecond: 100,
      ttftMs: 45,
    });
  });

  it('stopped while queued (nothing came): no figures', () => {
    expect(replyTimings({ tokens: 0, ttftMs: null, generateMs: 0 })).toBeNull();
  });

  it('speculative decoding figures are kept', () => {
    const t = replyTimings({
      final: { prompt_n: 3, predicted_n: 10, predicted_ms: 10, draft_n: 8, draft_n_accepted: 9 },
      tokens: 10,
      ttftMs: 1,
      generateMs: 10,
    });
    expect(t).toMatchObject({ promptTokens: 3, draftTokens: 8, draftAccepted: 8 });
  });
});
