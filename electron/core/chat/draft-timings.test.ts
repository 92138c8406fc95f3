/**
 * Speculative decoding's figures in the reply stats: llama-server sends timings.draft_n / draft_n_accepted
 * (tools/server/server-common.cpp, only when something was drafted); they become ChatTimings.draftTokens /
 * draftAccepted, and are absent when nothing was drafted.
 */
import { describe, expect, it } from 'vitest';
import { ChatTimings } from '../../shared/schemas';
import { toChatTimings } from './chat-service';
import { parseSseData } from './completion-client';

const base = { prompt_n: 6, prompt_ms: 2, predicted_n: 40, predicted_ms: 100, predicted_per_second: 400 };

describe('draft timings', () => {
  it('reads draft_n / draft_n_accepted from the final SSE chunk', () => {
    const chunk = parseSseData(
      JSON.stringify({
        choices: [{ delta: {}, finish_reason: 'length' }],
        timings: { ...base, draft_n: 30, draft_n_accepted: 21 },
      }),
    );
    expect(chunk).not.toBe('done');
    const t = toChatTimings(chunk === 'done' || !chunk ? undefined : chunk.timings, 10, { tokens: 0, ms: 0 });
    expect(t.draftTokens).toBe(30);
    expect(t.draftAccepted).toBe(21);
    expect(ChatTimings.parse(t)).toEqual(t);
  });

  it.each([
    { name: 'no speculative decoding', t: base },
    { name: 'nothing drafted', t: { ...base, draft_n: 0, draft_n_accepted: 0 } },
  ])('$name → no draft fields', ({ t }) => {
    const got = toChatTimings(t, 10, { tokens: 0, ms: 0 });
    expect('draftTokens' in got).toBe(false);
    expect('draftAccepted' in got).toBe(false);
  });

  it('never reports more accepted than drafted', () => {
    expect(toChatTimings({ ...base, draft_n: 5, draft_n_accepted: 9 }, 10, { tokens: 0, ms: 0 }).draftAccepted).toBe(5);
  });
});
