/**
 * How an OpenAI-style SSE stream ended, from its last bytes: `data: [DONE]` (complete), an error event (llama-server
 * reports a failure mid-stream that way and then closes without [DONE]: the client already knows), or neither
 * (cut off: the backend died or the connection broke, and the client must be told, or it takes the truncated
 * reply for a whole one).
 */
import { formatError, type Lang } from '../shared/errors';

export type SseEnd = 'done' | 'error' | 'cut';

export function sseEnd(tail: string): SseEnd {
  const events = tail.replace(/\r\n/g, '\n').trimEnd().split('\n\n');
  const last = events.at(-1) ?? '';
  // The data line of the last event (an `event:` line may come first).
  const data = /(?:^|\n)data:[ ]?(.*)$/.exec(last)?.[1]?.trim();
  if (data === undefined) return 'cut';
  if (data === '[DONE]') return 'done';
  if (/^\{\s*"error"\s*:/.test(data)) return 'error';
  return 'cut';
}

/** The event that tells an OpenAI client its stream was cut, in the shape llama-server itself uses for errors. */
export function cutStreamEvent(
  lang: Lang,
  reason: string,
  /** REMOTE_STREAM_CUT for an external server (Endpoint.remote): it may well still run. */
  code: 'BACKEND_CRASHED' | 'REMOTE_STREAM_CUT' = 'BACKEND_CRASHED',
): string {
  const error = {
    message: formatError(lang, code, { reason }),
    type: 'server_error',
    code,
  };
  return `data: ${JSON.stringify({ error })}\n\n`;
}
