/**
 * Pure: what an external server's answers and connection failures mean, as typed errors (REMOTE_*), and its model
 * list read defensively (everything a remote server sends is hostile: sizes, shapes and lengths are bounded here).
 * Table-tested in classify.test.ts; the I/O is in check.ts.
 */
import { z } from 'zod';
import type { RemoteModel } from '../../shared/backends';
import { AppError } from '../../shared/errors';

/** Models kept from one list (a hub proxy may list thousands). */
export const MAX_MODELS = 500;
/** A model id longer than this is not one we can send back (remote.connect takes ≤ 500). */
export const MAX_MODEL_ID = 500;

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

/** A connection failure (Node's error) → REMOTE_REFUSED / _UNREACHABLE / _TIMEOUT / _TLS. */
export function classifyConnectError(
  e: unknown,
  url: string,
  timeoutMs: number,
  cert?: CertificateFacts | null,
): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message.slice(0, 300) : String(e).slice(0, 300);
  if (code === 'ECONNREFUSED') return new AppError('REMOTE_REFUSED', { url });
  if (code === 'ETIMEDOUT_UPSTREAM' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT')
    return new AppError('REMOTE_TIMEOUT', { url, seconds: Math.round(timeoutMs / 100) / 10 });
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

const RawModel = z.looseObject({
  id: z.string().min(1).max(MAX_MODEL_ID),
  owned_by: z.string().max(200).nullish(),
});

const ModelList = z.looseObject({ data: z.array(z.unknown()) });

const positiveInt = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 100_000_000 ? v : null;

/** The context length a server says its model takes (llama.cpp meta.n_ctx, vLLM max_model_len, LM Studio, …). */
export function contextLengthOf(m: Record<string, unknown>): number | null {
  const meta = m.meta && typeof m.meta === 'object' ? (m.meta as Record<string, unknown>) : {};
  return (
    positiveInt(meta.n_ctx) ??
    positiveInt(m.max_model_len) ??
    positiveInt(m.context_length) ??
    positiveInt(m.loaded_context_length) ??
    positiveInt(m.max_context_length) ??
    positiveInt(meta.n_ctx_train)
  );
}

export interface ParsedModels {
  models: RemoteModel[];
  /** owned_by of each kept model (for flavor detection). */
  ownedBy: string[];
}

/**
 * GET /v1/models's answer → the models, or the typed error: 401/403 REMOTE_AUTH, a web page, not JSON or not the
 * OpenAI list shape REMOTE_NOT_OPENAI. Entries without a usable id are skipped; at most MAX_MODELS are kept.
 */
export function parseModelsResponse(
  url: string,
  status: number,
  contentType: string | undefined,
  body: string,
): ParsedModels {
  if (status === 401 || status === 403) return fail(new AppError('REMOTE_AUTH', { url, status }));
  const looksHtml = /text\/html/i.test(contentType ?? '') || /^\s*<(!doctype|html|head|body)/i.test(body);
  if (status < 200 || status >= 300) {
    const reason = looksHtml
      ? `/v1/models answered HTTP ${status} with a web page`
      : status === 404
        ? 'it has no /v1/models (HTTP 404)'
        : `/v1/models answered HTTP ${status}`;
    return fail(new AppError('REMOTE_NOT_OPENAI', { url, reason }, body.slice(0, 1000)));
  }
  if (looksHtml)
    return fail(
      new AppError('REMOTE_NOT_OPENAI', { url, reason: '/v1/models answered with a web page' }, body.slice(0, 1000)),
    );
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return fail(
      new AppError('REMOTE_NOT_OPENAI', { url, reason: '/v1/models did not answer JSON' }, body.slice(0, 1000)),
    );
  }
  const list = ModelList.safeParse(json);
  if (!list.success)
    return fail(
      new AppError('REMOTE_NOT_OPENAI', { url, reason: '/v1/models is not a model list' }, body.slice(0, 1000)),
    );
  const models: RemoteModel[] = [];
  const ownedBy: string[] = [];
  const seen = new Set<string>();
  for (const entry of list.data.data) {
    if (models.length >= MAX_MODELS) break;
    const m = RawModel.safeParse(entry);
    if (!m.success || seen.has(m.data.id)) continue;
    seen.add(m.data.id);
    const owner = m.data.owned_by ?? null;
    models.push({ id: m.data.id, ownedBy: owner, contextLength: contextLengthOf(m.data) });
    if (owner) ownedBy.push(owner);
  }
  return { models, ownedBy };
}

function fail(e: AppError): never {
  throw e;
}
