/**
 * Errors in Ollama's shape: `{"error": "<message>"}` (its clients show that string, and some look for
 * "not found" in it), plus our code for programs that want it. Translated by Accept-Language like the rest.
 */
import type http from 'node:http';
import { formatError, httpStatus, pickLang, toErrorInfo } from '../../shared/errors';

export function errorJson(e: unknown, acceptLanguage: string | undefined): { status: number; json: string } {
  const info = toErrorInfo(e);
  const message = formatError(pickLang(acceptLanguage), info.code, info.params);
  return { status: httpStatus(info.code), json: JSON.stringify({ error: message, code: info.code }) };
}

/** The last NDJSON line of a stream that failed after it began. */
export function errorLine(e: unknown, acceptLanguage: string | undefined): string {
  return errorJson(e, acceptLanguage).json + '\n';
}

export function sendOllamaError(req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const { status, json } = errorJson(e, req.headers['accept-language']);
  const retry = toErrorInfo(e).params?.retryAfterS;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'x-content-type-options': 'nosniff',
    ...(typeof retry === 'number' ? { 'retry-after': String(retry) } : {}),
    // A body we did not read (refused before reading, or too large) cannot leave the connection reusable.
    ...(req.complete ? {} : { connection: 'close' }),
  });
  res.end(json);
  if (!req.complete) req.resume();
}
