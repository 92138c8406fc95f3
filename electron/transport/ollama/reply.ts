/**
 * /api/chat and /api/generate: the request checked, the model it names made ready (just-in-time loading), the
 * backend's SSE turned into Ollama's NDJSON lines (or one JSON object with stream:false), ending with done:true,
 * done_reason and the counts and durations (nanoseconds) from llama-server's timings.
 */
import type http from 'node:http';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { JitLoader } from '../../core/api/jit';
import { COALESCE_MS } from '../openai-proxy';
import {
  ChatRequest,
  chatUpstream,
  doneReason,
  finalFields,
  GenerateRequest,
  generateUpstream,
  thinkShaper,
  type UpstreamDelta,
} from './translate';
import { streamUpstream } from './upstream';
import { errorLine } from './errors';

export interface ReplyDeps {
  jit: JitLoader;
  /** A note in the backend log (num_ctx ignored …). */
  note: (m: string) => void;
}

function parseBody<T extends z.ZodType>(schema: T, body: Buffer): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_JSON');
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new AppError('INVALID_PARAMS', { issues: z.prettifyError(r.error).slice(0, 500) });
  return r.data;
}

const ns = (ms: number | undefined) => (ms ?? 0) * 1e6;
const notedCtx = new Set<string>();

/** Throws (before anything is written) for the caller to answer; after the first byte answers everything itself. */
export async function reply(
  kind: 'chat' | 'generate',
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  deps: ReplyDeps,
): Promise<void> {
  const t0 = performance.now();
  const r = kind === 'chat' ? parseBody(ChatRequest, body) : parseBody(GenerateRequest, body);
  const model = (r.model ?? '').trim();
  if (!model) throw new AppError('INVALID_PARAMS', { issues: 'model is required' });
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  const endpoint = await deps.jit.endpointFor(model, { strict: true, signal: gone.signal });
  const loadNs = (performance.now() - t0) * 1e6;
  if (r.options?.num_ctx !== undefined && !notedCtx.has(model)) {
    notedCtx.add(model);
    deps.note(`Ollama API: num_ctx ${r.options.num_ctx} ignored for ${model} (the context is a load option)`);
  }
  const created = () => new Date().toISOString();
  const stream = r.stream !== false;
  const empty = kind === 'chat' ? (r as ChatRequest).messages.length === 0 : (r as GenerateRequest).prompt.length === 0;
  const lineOf = (content: string, thinking: string, extra: Record<string, unknown> = { done: false }) =>
    kind === 'chat'
      ? {
          model,
          created_at: created(),
          message: { role: 'assistant', content, ...(thinking ? { thinking } : {}) },
          ...extra,
        }
      : { model, created_at: created(), response: content, ...(thinking ? { thinking } : {}), ...extra };

  const headers = {
    'content-type': stream ? 'application/x-ndjson' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  // An empty prompt only loads the model (clients use it to preload), as Ollama does.
  if (empty) {
    res.writeHead(200, headers);
    res.end(JSON.stringify(lineOf('', '', { done: true, done_reason: 'load' })) + (stream ? '\n' : ''));
    return;
  }

  const up = kind === 'chat' ? chatUpstream(r as ChatRequest) : generateUpstream(r as GenerateRequest);
  const shaper = thinkShaper(r.think);
  let content = '';
  let thinking = '';
  let finish: string | null = null;
  let timings: UpstreamDelta['timings'] = null;
  // Lines arriving within COALESCE_MS of the last write go out together (as the OpenAI proxy does with SSE).
  let pending = '';
  let lastWrite = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending || res.destroyed) return;
    lastWrite = performance.now();
    res.write(pending);
    pending = '';
  };
  // The status goes out with the first token: an upstream refusal before it is still answered with its own status.
  const head = () => {
    if (!res.headersSent) res.writeHead(200, headers);
  };
  const emit = (obj: unknown) => {
    head();
    pending += JSON.stringify(obj) + '\n';
    const since = performance.now() - lastWrite;
    if (since >= COALESCE_MS) flush();
    else timer ??= setTimeout(flush, COALESCE_MS - since);
  };

  let outcome: 'done' | 'aborted';
  try {
    outcome = await streamUpstream({
      endpoint,
      path: up.path,
      body: up.body,
      signal: gone.signal,
      onDelta: (d) => {
        if (d.finishReason) finish = d.finishReason;
        if (d.timings) timings = d.timings;
        const s = shaper.shape(d);
        if (!s.content && !s.thinking) return;
        if (stream) emit(lineOf(s.content, s.thinking));
        else {
          content += s.content;
          thinking += s.thinking;
        }
      },
    });
  } catch (e) {
    if (timer) clearTimeout(timer);
    if (!res.headersSent) throw e;
    // Mid-stream: Ollama's way of saying it failed is an {"error": …} line, then the end.
    if (stream) {
      flush();
      res.end(errorLine(e, req.headers['accept-language']));
    } else res.destroy();
    return;
  } finally {
    deps.jit.touch();
  }
  if (outcome === 'aborted') {
    if (timer) clearTimeout(timer);
    if (!res.writableEnded) res.destroy();
    return;
  }
  const tail = shaper.end();
  const t = timings as UpstreamDelta['timings'];
  const stats = finalFields({
    doneReason: doneReason(finish),
    totalNs: (performance.now() - t0) * 1e6,
    loadNs,
    promptN: t?.prompt_n ?? 0,
    promptNs: ns(t?.prompt_ms),
    evalN: t?.predicted_n ?? 0,
    evalNs: ns(t?.predicted_ms),
  });
  if (stream) {
    if (tail) emit(lineOf(tail, ''));
    head();
    pending += JSON.stringify(lineOf('', '', stats)) + '\n';
    flush();
    res.end();
  } else {
    head();
    res.end(JSON.stringify(lineOf(content + tail, thinking, stats)));
  }
}
