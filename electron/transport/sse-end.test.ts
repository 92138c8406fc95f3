/**
 * sseEnd: how an OpenAI SSE stream ended, from its last bytes. The error event is the shape the pinned llama-server
 * writes when a task fails mid-stream (server-context.cpp: format_oai_sse({"error": …}), then no [DONE]).
 */
import { describe, expect, it } from 'vitest';
import { cutStreamEvent, sseEnd, type SseEnd } from './sse-end';

const delta =
  'data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hi"}}],"object":"chat.completion.chunk"}\n\n';

describe('sseEnd', () => {
  it.each<[string, string, SseEnd]>([
    ['complete', `${delta}data: [DONE]\n\n`, 'done'],
    ['complete, no trailing blank line', `${delta}data: [DONE]`, 'done'],
    ['complete, CRLF', `${delta}data: [DONE]\r\n\r\n`.replace(/\n\n/, '\r\n\r\n'), 'done'],
    ['complete, no space after the colon', 'data:[DONE]\n\n', 'done'],
    [
      'llama-server error event',
      `${delta}data: {"error":{"code":500,"message":"boom","type":"server_error"}}\n\n`,
      'error',
    ],
    ['error event after an event: line', 'event: error\ndata: {"error":{"message":"x"}}\n\n', 'error'],
    ['cut after a delta', delta, 'cut'],
    ['cut inside an event', delta + 'data: {"choi', 'cut'],
    ['nothing at all', '', 'cut'],
    ['a ping comment last', `${delta}:\n\n`, 'cut'],
    // "[DONE]" inside content is not the end marker.
    ['[DONE] as content', 'data: {"choices":[{"delta":{"content":"data: [DONE]"}}]}\n\n', 'cut'],
  ])('%s → %s', (_name, tail, want) => {
    expect(sseEnd(tail)).toBe(want);
  });
});

describe('cutStreamEvent', () => {
  it('is one SSE event with an OpenAI-style error, in the client language', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const ev = cutStreamEvent(lang, 'aborted');
      expect(ev).toMatch(/^data: \{.*\}\n\n$/);
      expect(sseEnd(ev)).toBe('error');
      const { error } = JSON.parse(ev.slice(6)) as { error: { code: string; type: string; message: string } };
      expect(error).toMatchObject({ code: 'BACKEND_CRASHED', type: 'server_error' });
      expect(error.message).toContain('aborted');
    }
    expect(cutStreamEvent('zh-CN', 'x')).toContain('后端崩溃');
  });
});
