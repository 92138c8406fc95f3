/**
 * OpenAI-compatible API on our port: checks the request, then forwards it to the ready backend's endpoint
 * (core/backends/backend.ts) with that run's key and pipes the response back byte for byte (SSE, `timings`,
 * `reasoning_content` untouched). The client closing its connection closes ours, which cancels the task there.
 * Generation requests pass the backend's gate (core/backends/upstream-gate.ts), shared with the chat service:
 * beyond its queue a request gets 503 + Retry-After, never a connection error.
 */
import type http from 'node:http';
import { z } from 'zod';
import { AppError, pickLang } from '../shared/errors';
import { gateFor, type GateTicket } from '../core/backends/upstream-gate';
import type { BackendCapabilities, Endpoint } from '../core/backends/backend';
import type { JitLoader } from '../core/api/jit';
import { upstreamRequest } from '../core/util/upstream-http';
import { upstreamConnectError, upstreamStatusError } from '../core/util/upstream-errors';
import { cutStreamEvent, sseEnd } from './sse-end';
import { sendError } from './http-io';

// Connections (core/util/upstream-http.ts): http, one per request, never handed on (see completion-client.ts);
// https endpoints (other machines) keep theirs, each checked against a pinned certificate when one is trusted. How
// many requests run at once is the gate's call.

const ChatCompletionBody = z.looseObject({
  messages: z
    .array(
      z.looseObject({
        role: z.string().min(1),
        content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional(),
      }),
    )
    .min(1),
  stream: z.boolean().optional(),
  model: z.string().optional(),
});

const CompletionBody = z.looseObject({
  prompt: z.union([z.string(), z.array(z.union([z.string(), z.number(), z.array(z.number())])).min(1)]),
  stream: z.boolean().optional(),
  model: z.string().optional(),
});

const EmbeddingsBody = z.looseObject({
  input: z.union([z.string(), z.array(z.union([z.string(), z.number(), z.array(z.number())])).min(1)]),
  model: z.string().optional(),
});

const BODIES: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ['/v1/chat/completions', ChatCompletionBody],
  ['/v1/completions', CompletionBody],
  ['/v1/embeddings', EmbeddingsBody],
]);

/** Window for merging SSE writes; see proxyToBackend. The eye cannot see a 16 ms batch. */
export const COALESCE_MS = 16;

/** What we forward, and with which methods: anything else (TRACE, DELETE, a GET of a POST route) never reaches the backend. */
const FORWARDED: ReadonlyMap<string, readonly string[]> = new Map([
  ['/v1/models', ['GET', 'HEAD']],
  ['/v1/chat/completions', ['POST']],
  ['/v1/completions', ['POST']],
  ['/v1/embeddings', ['POST']],
]);

export function isProxyPath(pathname: string): boolean {
  return pathname.startsWith('/v1/');
}

/** Validates the body where we know its shape; returns the bytes to forward unchanged. */
export function validateProxyBody(pathname: string, body: Buffer): void {
  const schema = BODIES.get(pathname);
  if (!schema) return;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError('INVALID_PARAMS', { issues: z.prettifyError(parsed.error).slice(0, 500) });
}

/**
 * The body to forward: with `model` set (an endpoint that needs its own name: vLLM's served name, a remote server's
 * model id), a JSON object body's `model` becomes it, whatever the client named; otherwise the bytes unchanged.
 */
export function withModel(body: Buffer | null, model: string | undefined): Buffer | null {
  if (!body || !model) return body;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return body;
  if ((json as { model?: unknown }).model === model) return body;
  return Buffer.from(JSON.stringify({ ...(json as Record<string, unknown>), model }));
}

/** /v1/models of an endpoint on another server: the one model it is connected to (what requests here will get). */
export function remoteModelList(model: string, nowMs = Date.now()): string {
  return JSON.stringify({
    object: 'list',
    data: [{ id: model, object: 'model', created: Math.floor(nowMs / 1000), owned_by: 'remote' }],
  });
}

/** The `model` a (validated) generation body names, if any. */
export function modelOf(body: Buffer | null): string | undefined {
  if (!body) return undefined;
  try {
    const m = (JSON.parse(body.toString('utf8')) as { model?: unknown } | null)?.model;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

export interface OpenAiRouting {
  /** The ready backend's endpoint (without just-in-time loading). */
  endpoint: () => Endpoint | null;
  /** Just-in-time loading (the core's); absent: the loaded model serves every request. */
  jit?: JitLoader | undefined;
  capabilities?: (() => BackendCapabilities | null) | undefined;
}

/**
 * Where a /v1 request goes: the model its body names, loaded first if it is installed and not loaded (JIT,
 * core/api/jit.ts; an OpenAI client's unknown name is served by the loaded model), and /v1/embeddings only to a
 * backend that serves embeddings (else EMBEDDINGS_UNSUPPORTED, 501). Throws before anything is written.
 */
export async function routeOpenAi(
  pathname: string,
  method: string | undefined,
  body: Buffer | null,
  r: OpenAiRouting,
): Promise<Endpoint | null> {
  const generation = method === 'POST' && BODIES.has(pathname);
  const endpoint = generation && r.jit ? await r.jit.endpointFor(modelOf(body), { strict: false }) : r.endpoint();
  if (endpoint && pathname === '/v1/embeddings' && method === 'POST' && r.capabilities?.()?.embeddings !== true)
    throw new AppError('EMBEDDINGS_UNSUPPORTED');
  return endpoint;
}

export interface ProxyHooks {
  onStart?(): void;
  onEnd?(): void;
}

/**
 * Forwards one request. Throws (before writing anything) NOT_FOUND, BACKEND_NOT_READY or BACKEND_QUEUE_FULL for
 * the caller to answer; everything after is answered here, whatever the backend does.
 */
export function proxyToBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  search: string,
  body: Buffer | null,
  endpoint: Endpoint | null,
  hooks: ProxyHooks = {},
): void {
  const methods = FORWARDED.get(pathname);
  if (!methods) throw new AppError('NOT_FOUND', { path: pathname });
  const method = req.method ?? '';
  if (!methods.includes(method)) {
    throw new AppError('METHOD_NOT_ALLOWED', {
      path: pathname,
      method: method.slice(0, 20),
      allowed: methods.join(', '),
    });
  }
  if (!endpoint) throw new AppError('BACKEND_NOT_READY');
  if (pathname === '/v1/models' && endpoint.remote && endpoint.model) {
    const list = remoteModelList(endpoint.model);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(list) });
    res.end(method === 'HEAD' ? undefined : list);
    return;
  }
  const clientGone = new AbortController();
  // Throws BACKEND_QUEUE_FULL: the caller answers 503 with its Retry-After (http-io.ts sendError). The model list
  // takes no slot in llama-server: it never waits behind generations.
  const ticket: GateTicket | null = pathname === '/v1/models' ? null : gateFor(endpoint).enter(clientGone.signal);
  hooks.onStart?.();
  let ended = false;
  let upstream: http.ClientRequest | null = null;
  const end = () => {
    ticket?.release();
    if (!ended) {
      ended = true;
      hooks.onEnd?.();
    }
  };
  // Client went away: leave the queue, or drop the upstream request so llama-server stops generating.
  res.on('close', () => {
    clientGone.abort();
    if (!res.writableFinished) upstream?.destroy();
    end();
  });
  const go = () => {
    if (clientGone.signal.aborted) return end();
    upstream = forward(
      req,
      res,
      new URL(pathname + search, endpoint.baseUrl),
      endpoint,
      withModel(body, endpoint.model),
      clientGone.signal,
      end,
    );
  };
  // Past this point nothing may escape as a rejection: answer it instead.
  (ticket ? ticket.ready : Promise.resolve(true))
    .then((admitted) => (admitted ? go() : end()))
    .catch((e: unknown) => {
      end();
      // (sendError cuts a reply already under way instead.)
      sendError(req, res, new AppError('INTERNAL', { reason: e instanceof Error ? e.message : String(e) }), true);
    });
}

function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: URL,
  endpoint: Endpoint,
  body: Buffer | null,
  clientGone: AbortSignal,
  end: () => void,
): http.ClientRequest {
  const served = endpoint.served;
  const headers: http.OutgoingHttpHeaders = {
    ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    accept: req.headers.accept ?? '*/*',
  };
  if (body) {
    headers['content-type'] = req.headers['content-type'] ?? 'application/json';
    headers['content-length'] = body.length;
  }
  const lang = pickLang(req.headers['accept-language']);
  const upstream = upstreamRequest(target, { method: req.method, headers }, endpoint.tls, (up) => {
    // An external server that refuses its key: the client's own key here is fine, so not a 401 of ours to pass on.
    if (endpoint.remote && (up.statusCode === 401 || up.statusCode === 403)) {
      up.resume();
      end();
      sendError(req, res, upstreamStatusError(up.statusCode, '', endpoint), true);
      return;
    }
    const pass: http.OutgoingHttpHeaders = {};
    for (const h of ['content-type', 'cache-control', 'content-length', 'transfer-encoding']) {
      const v = up.headers[h];
      if (v !== undefined) pass[h] = v;
    }
    res.writeHead(up.statusCode ?? 502, pass);
    res.flushHeaders();
    // Same bytes, fewer writes: SSE chunks arriving within COALESCE_MS of the last write are sent together (the
    // first at once, the rest at the end of the window, the last batch when upstream ends). At hundreds of tokens/s
    // this saves the client a wake-up per token, which on a machine whose cores are generating costs throughput.
    const sse = /text\/event-stream/.test(String(up.headers['content-type'] ?? ''));
    const coalesceMs = sse ? COALESCE_MS : 0;
    let pending: Buffer[] = [];
    // The last few chunks, to tell how an SSE stream ended (llama-server writes one event per chunk).
    const tail: Buffer[] = [];
    let lastWrite = -Infinity;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (pending.length === 0) return;
      const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      pending = [];
      lastWrite = performance.now();
      if (!res.write(buf)) {
        up.pause();
        res.once('drain', () => up.resume());
      }
    };
    let finished = false;
    // `cut`: why the upstream response stopped early, or null when it ended normally.
    const finish = (cut: string | null) => {
      if (finished) return;
      finished = true;
      // A whole 2xx reply to a generation: the backend serves (self-healing: its failed-try count starts again).
      const ok = cut === null && req.method === 'POST' && (up.statusCode ?? 0) >= 200 && (up.statusCode ?? 0) < 300;
      if (ok && (!sse || sseEnd(Buffer.concat(tail).toString('utf8')) === 'done')) served?.();
      if (clientGone.aborted) {
        if (timer) clearTimeout(timer);
      } else if (sse) {
        // A stream that stops without [DONE] (the backend died, the connection broke) ends with an error event, so
        // the client does not take a truncated reply for a whole one; one llama-server already ended with an
        // error event needs no second.
        if (sseEnd(Buffer.concat(tail).toString('utf8')) === 'cut')
          pending.push(
            Buffer.from(
              cutStreamEvent(
                lang,
                cut ?? 'the stream ended before [DONE]',
                endpoint.remote ? 'REMOTE_STREAM_CUT' : 'BACKEND_CRASHED',
              ),
            ),
          );
        flush();
        res.end();
      } else if (cut === null) {
        flush();
        res.end();
      } else {
        // A plain body cut short cannot be mended: a dropped connection is the honest answer (its length is wrong).
        if (timer) clearTimeout(timer);
        res.destroy();
      }
      end();
    };
    up.on('data', (chunk: Buffer) => {
      if (sse) {
        tail.push(chunk);
        if (tail.length > 4) tail.shift();
      }
      pending.push(chunk);
      const since = performance.now() - lastWrite;
      if (since >= coalesceMs) flush();
      else timer ??= setTimeout(flush, coalesceMs - since);
    });
    up.on('end', () => finish(null));
    up.on('error', (e) => finish(e.message));
    up.on('close', () => finish(up.complete ? null : 'connection closed'));
  });
  upstream.setNoDelay(true);
  upstream.on('error', (e) => {
    if (!res.headersSent) {
      end();
      sendError(req, res, upstreamConnectError(e, endpoint, 'UPSTREAM_ERROR'), true);
    }
    // After the headers, the response's own error/close handlers above finish the reply.
  });
  upstream.end(body ?? undefined);
  return upstream;
}
