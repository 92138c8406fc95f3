/**
 * OpenAI-compatible API on our port: checks the request, then forwards it to the running llama-server with that
 * run's key and pipes the response back byte for byte (SSE, `timings`, `reasoning_content` untouched).
 * The client closing its connection closes ours, which cancels the task in llama-server.
 */
import http from 'node:http';
import { z } from 'zod';
import { AppError } from '../shared/errors';
import type { Endpoint } from '../core/backends/supervisor';

// No pooled upstream sockets: see completion-client.ts (a reused socket llama-server closed fails the request).
const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });

const ChatCompletionBody = z.looseObject({
  messages: z
    .array(z.looseObject({ role: z.string().min(1), content: z.union([z.string(), z.array(z.unknown()), z.null()]).optional() }))
    .min(1),
  stream: z.boolean().optional(),
  model: z.string().optional(),
});

/** Window for merging SSE writes; see proxyToBackend. The eye cannot see a 16 ms batch. */
export const COALESCE_MS = 16;

const FORWARDED = new Set(['/v1/models', '/v1/chat/completions', '/v1/completions', '/v1/embeddings']);

export function isProxyPath(pathname: string): boolean {
  return pathname.startsWith('/v1/');
}

/** Validates the body where we know its shape; returns the bytes to forward unchanged. */
export function validateProxyBody(pathname: string, body: Buffer): void {
  if (pathname !== '/v1/chat/completions') return;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_JSON');
  }
  const parsed = ChatCompletionBody.safeParse(json);
  if (!parsed.success) throw new AppError('INVALID_PARAMS', { issues: z.prettifyError(parsed.error).slice(0, 500) });
}

export interface ProxyHooks {
  onStart?(): void;
  onEnd?(): void;
}

export function proxyToBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  search: string,
  body: Buffer | null,
  endpoint: Endpoint | null,
  hooks: ProxyHooks = {},
): void {
  if (!FORWARDED.has(pathname)) throw new AppError('NOT_FOUND', { path: pathname });
  if (!endpoint) throw new AppError('BACKEND_NOT_READY');
  const target = new URL(pathname + search, endpoint.baseUrl);
  const headers: http.OutgoingHttpHeaders = {
    authorization: `Bearer ${endpoint.apiKey}`,
    accept: req.headers.accept ?? '*/*',
  };
  if (body) {
    headers['content-type'] = req.headers['content-type'] ?? 'application/json';
    headers['content-length'] = body.length;
  }
  hooks.onStart?.();
  let ended = false;
  const end = () => {
    if (!ended) {
      ended = true;
      hooks.onEnd?.();
    }
  };
  const upstream = http.request(target, { method: req.method, headers, agent }, (up) => {
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
    const coalesceMs = /text\/event-stream/.test(String(up.headers['content-type'] ?? '')) ? COALESCE_MS : 0;
    let pending: Buffer[] = [];
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
    up.on('data', (chunk: Buffer) => {
      pending.push(chunk);
      const since = performance.now() - lastWrite;
      if (since >= coalesceMs) flush();
      else timer ??= setTimeout(flush, coalesceMs - since);
    });
    up.on('end', () => {
      flush();
      res.end();
      end();
    });
    up.on('error', () => {
      if (timer) clearTimeout(timer);
      res.destroy();
      end();
    });
  });
  upstream.setNoDelay(true);
  upstream.on('error', (e) => {
    end();
    if (!res.headersSent) {
      const err = new AppError('UPSTREAM_ERROR', { reason: e.message });
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: err.code, message: err.message, type: 'upstream_error' } }));
    } else res.destroy();
  });
  // Client went away: drop the upstream request so llama-server stops generating.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
    end();
  });
  upstream.end(body ?? undefined);
}
