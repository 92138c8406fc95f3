/**
 * One streamed request to the backend (llama-server's OpenAI-compatible API), through its gate like every other
 * generation (core/backends/upstream-gate.ts: beyond the queue BACKEND_QUEUE_FULL), its SSE parsed into deltas.
 * The caller's signal (its client went away) leaves the queue or closes the connection, which cancels the task
 * in llama-server.
 */
import { AppError } from '../../shared/errors';
import type { Endpoint } from '../../core/backends/backend';
import { gateFor } from '../../core/backends/upstream-gate';
import { lineSplitter } from '../../core/util/lines';
import { upstreamRequest } from '../../core/util/upstream-http';
import { upstreamConnectError, upstreamStatusError } from '../../core/util/upstream-errors';
import { parseUpstream, type UpstreamDelta } from './translate';

// http: one connection per request, never handed on (see core/chat/completion-client.ts); https endpoints with
// their trusted certificate (core/util/upstream-http.ts).

export interface StreamOptions {
  endpoint: Endpoint;
  path: string;
  body: Record<string, unknown>;
  signal: AbortSignal;
  /** Called once the gate admitted the request (a place is held until the stream ends). */
  onAdmitted?: () => void;
  onDelta: (d: UpstreamDelta) => void;
}

/**
 * Throws BACKEND_QUEUE_FULL at once (nothing started); resolves 'done' after [DONE], 'aborted' when the signal
 * aborted; rejects with UPSTREAM_ERROR (llama-server answered an error) or BACKEND_CRASHED (cut before [DONE]).
 */
export function streamUpstream(o: StreamOptions): Promise<'done' | 'aborted'> {
  const ticket = gateFor(o.endpoint).enter(o.signal);
  return ticket.ready
    .then((admitted) => {
      if (!admitted) return 'aborted' as const;
      o.onAdmitted?.();
      return send(o);
    })
    .finally(() => ticket.release());
}

function send(o: StreamOptions): Promise<'done' | 'aborted'> {
  const model = o.endpoint.model;
  const body = Buffer.from(JSON.stringify(model ? { ...o.body, model } : o.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (v: 'done' | 'aborted' | AppError) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      if (v instanceof AppError) reject(v);
      else resolve(v);
    };
    const req = upstreamRequest(
      new URL(o.path, o.endpoint.baseUrl),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...(o.endpoint.apiKey ? { authorization: `Bearer ${o.endpoint.apiKey}` } : {}),
          accept: 'text/event-stream',
        },
      },
      o.endpoint.tls,
      (res) => {
        if (res.statusCode !== 200) {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text.length < 8192) text += d;
          });
          res.on('end', () => finish(upstreamStatusError(res.statusCode ?? 0, text, o.endpoint)));
          res.on('error', () => finish(new AppError('UPSTREAM_ERROR', { reason: `HTTP ${res.statusCode}` })));
          return;
        }
        const onLine = lineSplitter((line) => {
          if (settled || !line.startsWith('data:')) return;
          const data = line.slice(5).trim();
          if (data === '[DONE]') {
            finish('done');
            return;
          }
          const d = parseUpstream(data);
          if (!d) return;
          if (d.error) {
            finish(new AppError('UPSTREAM_ERROR', { reason: d.error.slice(0, 500) }));
            req.destroy();
            return;
          }
          try {
            o.onDelta(d);
          } catch (e) {
            finish(new AppError('INTERNAL', { reason: (e as Error).message }));
            req.destroy();
          }
        });
        const cut = (reason: string) =>
          finish(
            o.signal.aborted
              ? 'aborted'
              : new AppError(o.endpoint.remote ? 'REMOTE_STREAM_CUT' : 'BACKEND_CRASHED', { reason }),
          );
        res.on('data', onLine);
        res.on('end', () => cut('the reply stream ended before [DONE]'));
        res.on('error', (e) => cut(e.message));
        res.on('close', () => cut('connection closed'));
      },
    );
    req.setNoDelay(true);
    req.on('error', (e) =>
      finish(o.signal.aborted ? 'aborted' : upstreamConnectError(e, o.endpoint, 'UPSTREAM_ERROR')),
    );
    const onAbort = () => {
      finish('aborted');
      req.destroy();
    };
    if (o.signal.aborted) return onAbort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}
