/**
 * What a failed request to a backend's endpoint means, as a typed error. A remote server's (Endpoint.remote) failures
 * are REMOTE_*: refused, unreachable, timed out, TLS, a key it refuses; our own backend's keep the caller's code.
 * Pure; used by the remote check, the chat, the OpenAI proxy and the Ollama-compatible API alike.
 */
import { AppError, type ErrorCode } from '../../shared/errors';

const TLS_CODES = new Set([
  'ERR_TLS_PIN_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

export interface CertificateFacts {
  fingerprint256: string;
  subject: string;
  issuer: string;
  validTo: string;
}

/**
 * A connection failure (Node's error) → REMOTE_REFUSED / _UNREACHABLE / _TIMEOUT / _TLS. `timeoutMs`: the limit the
 * caller set (REMOTE_TIMEOUT names it); without one, a timeout is the system's and REMOTE_UNREACHABLE says so.
 */
export function classifyConnectError(
  e: unknown,
  url: string,
  timeoutMs?: number,
  cert?: CertificateFacts | null,
): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message.slice(0, 300) : String(e).slice(0, 300);
  if (code === 'ECONNREFUSED') return new AppError('REMOTE_REFUSED', { url });
  if (code === 'ETIMEDOUT_UPSTREAM' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
    return timeoutMs === undefined
      ? new AppError('REMOTE_UNREACHABLE', { url, reason: `the connection timed out (${code})` }, message)
      : new AppError('REMOTE_TIMEOUT', { url, seconds: Math.round(timeoutMs / 100) / 10 });
  if (UNREACHABLE_CODES.has(code)) {
    const reason = code.startsWith('EAI_') || code === 'ENOTFOUND' ? `the name does not resolve (${code})` : code;
    return new AppError('REMOTE_UNREACHABLE', { url, reason }, message);
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    /certificate/i.test(message)
  ) {
    const reason = /wrong version number|packet length too long|unknown protocol/i.test(message)
      ? 'the server does not speak https on this port (try http://)'
      : message;
    return new AppError('REMOTE_TLS', { url, reason, ...(cert ? { ...cert } : {}) }, message);
  }
  if (code === 'ECONNRESET' || /socket hang up/i.test(message))
    return new AppError('REMOTE_UNREACHABLE', { url, reason: 'the connection was closed without an answer' }, message);
  return new AppError('REMOTE_UNREACHABLE', { url, reason: message || code || 'unknown error' }, message);
}

/** The endpoint fields these decisions read (backends/backend.ts Endpoint). */
export interface UpstreamEndpoint {
  baseUrl: string;
  remote?: boolean;
}

const originOf = (baseUrl: string): string => {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
};

/** A request that got no answer: REMOTE_* for a remote server, `local` (with the reason) for a backend of ours. */
export function upstreamConnectError(e: unknown, endpoint: UpstreamEndpoint, local: ErrorCode): AppError {
  if (e instanceof AppError) return e;
  if (endpoint.remote) return classifyConnectError(e, originOf(endpoint.baseUrl));
  return new AppError(local, { reason: (e as Error)?.message ?? String(e) });
}

/**
 * An answer other than 200: a remote server's 401/403 is REMOTE_AUTH (its key changed); otherwise UPSTREAM_ERROR
 * with the server's own error message when its body is OpenAI-style JSON, else the status.
 */
export function upstreamStatusError(status: number, body: string, endpoint: UpstreamEndpoint): AppError {
  if (endpoint.remote && (status === 401 || status === 403))
    return new AppError('REMOTE_AUTH', { url: originOf(endpoint.baseUrl), status }, body.slice(0, 2000));
  let reason = `HTTP ${status}`;
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === 'string' && message) reason = message;
  } catch {
    /* not JSON */
  }
  return new AppError('UPSTREAM_ERROR', { reason: reason.slice(0, 500) }, body.slice(0, 2000));
}
