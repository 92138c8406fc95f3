/**
 * Streams one chat completion from llama-server's OpenAI-compatible endpoint and parses its SSE lines.
 * Closing the connection cancels the task in llama-server, so cancel = abort the request.
 */
import { AppError } from '../../shared/errors';
import type { ChatMessage, SamplingParams } from '../../shared/schemas';
import type { Endpoint } from '../backends/backend';
import { lineSplitter } from '../util/lines';
import { upstreamRequest } from '../util/upstream-http';
import { upstreamConnectError, upstreamStatusError } from '../util/upstream-errors';

export interface CompletionChunk {
  content?: string;
  reasoning?: string;
  finishReason?: string | null;
  timings?: LlamaTimings;
  /** With `return_progress`: the prompt's processing (total tokens, of those from the cache, done so far). */
  progress?: PromptProgress;
}

export interface PromptProgress {
  total: number;
  cache: number;
  processed: number;
  time_ms: number;
}

export interface LlamaTimings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  predicted_per_second?: number;
  /** Speculative decoding (tools/server/server-common.cpp, only when something was drafted): tokens drafted and
   * of those accepted by the model. */
  draft_n?: number;
  draft_n_accepted?: number;
  /** Prompt tokens taken from the slot's cache (not processed again). */
  cache_n?: number;
}

// One connection per reply, never handed on (a loopback connect costs well under a millisecond). llama-server closes
// the connection after every streamed reply although its headers say `Keep-Alive: timeout=5, max=100`, so any
// request sent on such a socket fails with "socket hang up". An Agent with a finite maxSockets reuses exactly so:
// Node then sends `Connection: keep-alive` even with keepAlive false, and hands a finished reply's socket to the next
// request waiting in the Agent's queue (past 64 concurrent replies, each such request failed). With maxSockets
// unlimited Node sends `Connection: close` and never reuses; how many replies run at once is the backend gate's call.
// (util/upstream-http.ts keeps exactly this for http; https endpoints, on other machines, keep their connections.)

export interface StreamRequest {
  baseUrl: string;
  apiKey: string;
  /** Endpoint.model: the `model` field the backend needs (vLLM's served name, a remote model id). */
  model?: string;
  /** Endpoint.tls: a pinned self-signed certificate of an https endpoint. */
  tls?: Endpoint['tls'];
  /** Endpoint.remote: a cut stream is REMOTE_STREAM_CUT (a server not ours) instead of BACKEND_CRASHED. */
  remote?: boolean;
  messages: ChatMessage[];
  sampling: SamplingParams;
  signal: AbortSignal;
  onChunk: (c: CompletionChunk) => void;
  /** More llama-server request fields (return_progress, …). */
  extra?: Record<string, unknown>;
}

/** Parses one `data: …` payload into what we use of it. */
export function parseSseData(data: string): CompletionChunk | 'done' | null {
  if (data === '[DONE]') return 'done';
  let json: {
    choices?: {
      delta?: { content?: string | null; reasoning_content?: string | null };
      finish_reason?: string | null;
    }[];
    timings?: LlamaTimings;
    prompt_progress?: Partial<PromptProgress>;
    error?: { message?: string };
  };
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  if (json === null || typeof json !== 'object') return null;
  if (json.error) throw new AppError('UPSTREAM_ERROR', { reason: json.error.message ?? 'unknown error' }, data);
  const choice = json.choices?.[0];
  const out: CompletionChunk = {};
  if (choice?.delta?.content) out.content = choice.delta.content;
  if (choice?.delta?.reasoning_content) out.reasoning = choice.delta.reasoning_content;
  if (choice && choice.finish_reason !== undefined) out.finishReason = choice.finish_reason;
  if (json.timings) out.timings = json.timings;
  const p = json.prompt_progress;
  if (p && typeof p === 'object' && typeof p.total === 'number')
    out.progress = {
      total: p.total,
      cache: typeof p.cache === 'number' ? p.cache : 0,
      processed: typeof p.processed === 'number' ? p.processed : 0,
      time_ms: typeof p.time_ms === 'number' ? p.time_ms : 0,
    };
  return out;
}

/**
 * Resolves when the stream ends with [DONE]; rejects with an AppError (a stream cut off before [DONE] is
 * BACKEND_CRASHED, REMOTE_STREAM_CUT for a remote endpoint: a reply that stops mid-sentence must not look finished). Abort resolves with `aborted`.
 */
export function streamCompletion(req: StreamRequest): Promise<'completed' | 'aborted'> {
  const url = new URL('/v1/chat/completions', req.baseUrl);
  const body = JSON.stringify({
    ...(req.model ? { model: req.model } : {}),
    messages: req.messages,
    stream: true,
    ...req.sampling,
    ...req.extra,
  });
  const endpoint = { baseUrl: req.baseUrl, remote: req.remote };
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (v: 'completed' | 'aborted' | AppError) => {
      if (settled) return;
      settled = true;
      if (v instanceof AppError) reject(v);
      else resolve(v);
    };
    const httpReq = upstreamRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}),
          accept: 'text/event-stream',
        },
      },
      req.tls,
      (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d.slice(0, 8192)));
          res.on('end', () => finish(upstreamStatusError(res.statusCode ?? 0, text, endpoint)));
          return;
        }
        const onLine = lineSplitter((line) => {
          if (settled || !line.startsWith('data:')) return;
          try {
            const parsed = parseSseData(line.slice(5).trim());
            if (parsed === 'done') finish('completed');
            else if (parsed) req.onChunk(parsed);
          } catch (e) {
            finish(e instanceof AppError ? e : new AppError('CHAT_FAILED', { reason: String(e) }));
            httpReq.destroy();
          }
        });
        const cut = (reason: string) =>
          finish(
            req.signal.aborted
              ? 'aborted'
              : new AppError(req.remote ? 'REMOTE_STREAM_CUT' : 'BACKEND_CRASHED', { reason }),
          );
        res.on('data', onLine);
        res.on('end', () => cut('the reply stream ended before [DONE]'));
        res.on('error', (e) => cut(e.message));
        res.on('close', () => cut('connection closed'));
      },
    );
    httpReq.setNoDelay(true);
    // Before anything can destroy the request: an 'error' without a listener would be thrown at the process.
    httpReq.on('error', (e) =>
      finish(req.signal.aborted ? 'aborted' : upstreamConnectError(e, endpoint, 'CHAT_FAILED')),
    );
    const onAbort = () => {
      finish('aborted');
      httpReq.destroy();
    };
    if (req.signal.aborted) return onAbort();
    req.signal.addEventListener('abort', onAbort, { once: true });
    httpReq.on('close', () => req.signal.removeEventListener('abort', onAbort));
    httpReq.end(body);
  });
}
