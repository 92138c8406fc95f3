/**
 * parseSseData: one `data:` payload of llama-server's streamed chat completion → what the chat uses. The first
 * rows are payloads captured from the pinned build (tiny test model, reasoning-format auto), trimmed of ids.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { parseSseData, type CompletionChunk } from './completion-client';

const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  JSON.stringify({
    choices: [{ finish_reason: finish, index: 0, delta }],
    created: 1795325525,
    object: 'chat.completion.chunk',
    ...extra,
  });

const TIMINGS = {
  cache_n: 0,
  prompt_n: 6,
  prompt_ms: 2.202,
  prompt_per_token_ms: 0.367,
  prompt_per_second: 2724.7956403269754,
  predicted_n: 3,
  predicted_ms: 15.786,
  predicted_per_token_ms: 7.893,
  predicted_per_second: 126.69453946534905,
};

describe('parseSseData', () => {
  it.each<{ name: string; data: string; want: CompletionChunk | 'done' | null }>([
    // The first chunk announces the role with content null: nothing to show, but not an error either.
    { name: 'captured: role chunk', data: chunk({ role: 'assistant', content: null }), want: { finishReason: null } },
    { name: 'content delta', data: chunk({ content: 'Hello' }), want: { content: 'Hello', finishReason: null } },
    // R1-style thinking arrives separately so the UI can fold it away.
    {
      name: 'captured: reasoning delta',
      data: chunk({ reasoning_content: '\n software' }),
      want: { reasoning: '\n software', finishReason: null },
    },
    {
      name: 'both in one chunk',
      data: chunk({ content: 'a', reasoning_content: 'b' }),
      want: { content: 'a', reasoning: 'b', finishReason: null },
    },
    // Whitespace is content: a token that is only a newline must not be dropped.
    { name: 'a newline token', data: chunk({ content: '\n' }), want: { content: '\n', finishReason: null } },
    { name: 'an empty content string', data: chunk({ content: '' }), want: { finishReason: null } },
    // The last chunk carries the finish reason and the server's own timings (tokens/s shown to the user).
    {
      name: 'captured: final chunk with timings',
      data: chunk({}, 'length', { timings: TIMINGS }),
      want: { finishReason: 'length', timings: TIMINGS },
    },
    { name: 'finish stop', data: chunk({}, 'stop'), want: { finishReason: 'stop' } },
    // A chunk without a finish_reason key leaves it undefined (not null), so it cannot clear an earlier "stop".
    {
      name: 'no finish_reason key',
      data: JSON.stringify({ choices: [{ delta: { content: 'x' } }] }),
      want: { content: 'x' },
    },
    {
      name: 'no choices (timings-only chunk)',
      data: JSON.stringify({ choices: [], timings: TIMINGS }),
      want: { timings: TIMINGS },
    },
    { name: 'captured: [DONE]', data: '[DONE]', want: 'done' },
    // A proxy or a broken line must not end the stream; the line is skipped.
    { name: 'garbage', data: 'not json', want: null },
    { name: 'truncated JSON', data: '{"choices":[{"delta":{"content":"a', want: null },
    { name: 'empty payload', data: '', want: null },
  ])('$name', ({ data, want }) => {
    expect(parseSseData(data)).toEqual(want);
  });

  it.each([
    // llama-server reports a failure mid-stream as a data line with an error object.
    {
      data: JSON.stringify({ error: { code: 500, message: 'context shift is disabled', type: 'server_error' } }),
      reason: 'context shift is disabled',
    },
    {
      data: JSON.stringify({
        error: {
          code: 400,
          message: "Field 'top_k': [json.exception.type_error.302] type must be number, but is string",
          type: 'invalid_request_error',
        },
      }),
      reason: "Field 'top_k'",
    },
    { data: JSON.stringify({ error: {} }), reason: 'unknown error' },
  ])('an error object becomes UPSTREAM_ERROR with its message ($reason)', ({ data, reason }) => {
    let err: unknown;
    try {
      parseSseData(data);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UPSTREAM_ERROR');
    expect(String((err as AppError).params?.reason)).toContain(reason);
    // The raw line is kept for the bug report.
    expect((err as AppError).details).toBe(data);
  });

  // `data: null` is valid JSON; parseSseData then reads `json.error` of null and throws a TypeError, which
  // streamCompletion turns into CHAT_FAILED and ends the reply. Its contract is "garbage → null".
  // Fix: after JSON.parse, `if (json === null || typeof json !== 'object') return null;`.
  it('a JSON null payload is garbage (null), not a TypeError', () => {
    expect(parseSseData('null')).toBeNull();
  });
});
