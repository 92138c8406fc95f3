/**
 * Pure: what an external server's answers and connection failures mean, as typed errors (REMOTE_*), and its model
 * list read defensively (everything a remote server sends is hostile: sizes, shapes and lengths are bounded here).
 * Table-tested in classify.test.ts; the I/O is in check.ts. (Connection failures: util/upstream-errors.ts, shared with
 * every client of a remote endpoint.)
 */
import { z } from 'zod';
import type { RemoteModel } from '../../shared/backends';
import { AppError } from '../../shared/errors';

/** Models kept from one list (a hub proxy may list thousands). */
export const MAX_MODELS = 500;
/** A model id longer than this is not one we can send back (remote.connect takes ≤ 500). */
export const MAX_MODEL_ID = 500;

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
