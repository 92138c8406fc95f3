/**
 * CORS for LAN mode: web clients on origins the user listed (settings.api.corsOrigins) may call the API from a
 * browser. A listed origin gets its preflight answered and `Access-Control-Allow-Origin` echoed (never `*`, so a
 * cache keyed on Vary: Origin cannot hand one site's answer to another); any other origin is refused with
 * FORBIDDEN_ORIGIN and no CORS headers, so the browser blocks it and nothing it asked for is done. Requests without
 * Origin (curl, other programs) are not browsers and pass. The decisions are pure; `applyCors` writes them.
 */
import type http from 'node:http';
import { AppError } from '../../shared/errors';
import { SECURITY_HEADERS } from '../http-io';
import { isOwnOrigin, originMatches, type GuardConfig } from '../security';

export type CorsDecision =
  /** No Origin: not a browser page, nothing to say. */
  | { kind: 'none' }
  /** A listed origin (or our own): allowed, with these response headers. */
  | { kind: 'allowed'; origin: string }
  | { kind: 'forbidden'; origin: string };

export function decideCors(origin: string | undefined, guard: GuardConfig, allowList: readonly string[]): CorsDecision {
  if (origin === undefined) return { kind: 'none' };
  if (origin.length <= 300 && (isOwnOrigin(origin, guard) || originMatches(origin, allowList)))
    return { kind: 'allowed', origin };
  return { kind: 'forbidden', origin };
}

/** A CORS preflight: OPTIONS from a page, naming the method it wants to send. */
export function isPreflight(req: Pick<http.IncomingMessage, 'method' | 'headers'>): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    typeof req.headers['access-control-request-method'] === 'string'
  );
}

export const CORS_METHODS = 'GET, HEAD, POST, OPTIONS';
/** Asked-for headers are echoed when each is a plain header name (SDKs send their own, e.g. x-stainless-os). */
const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

/** Headers on every answer to an allowed origin. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    // A client reads how long to wait after a 503 from here.
    'access-control-expose-headers': 'retry-after',
    vary: 'Origin',
  };
}

/** The preflight answer's headers for an allowed origin. */
export function preflightHeaders(origin: string, requested: string | undefined): Record<string, string> {
  const names = (requested ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const echo = names.length <= 50 && names.every((n) => HEADER_NAME.test(n));
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': CORS_METHODS,
    'access-control-allow-headers': echo && names.length ? names.join(', ') : 'authorization, content-type, x-api-key',
    'access-control-max-age': '600',
  };
}

/**
 * Applies the decision to a request: a foreign origin is FORBIDDEN_ORIGIN (thrown, answered without CORS headers);
 * an allowed one gets its headers set on `res` (they go out with whatever answer follows); a preflight is answered
 * here (true: nothing more to do).
 */
export function applyCors(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  guard: GuardConfig,
  allowList: readonly string[],
): boolean {
  const d = decideCors(req.headers.origin, guard, allowList);
  if (d.kind === 'forbidden') throw new AppError('FORBIDDEN_ORIGIN', { origin: d.origin.slice(0, 200) });
  if (d.kind === 'none') return false;
  if (!isPreflight(req)) {
    for (const [k, v] of Object.entries(corsHeaders(d.origin))) res.setHeader(k, v);
    return false;
  }
  res.writeHead(204, {
    ...preflightHeaders(d.origin, req.headers['access-control-request-headers']),
    ...SECURITY_HEADERS,
  });
  res.end();
  return true;
}
