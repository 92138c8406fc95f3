/**
 * Small non-streamed requests the chat makes of the running backend (llama-server's own routes, checked against
 * tools/server/README.md of the pinned release): the context per slot (GET /props →
 * default_generation_settings.n_ctx), the prompt's token count (POST /apply-template → prompt, then POST /tokenize
 * → tokens), and one short completion (titles, summaries) through /v1/chat/completions.
 * Every answer is checked before use: the backend is a process of ours (or another server), its output is input.
 * Requests go through util/upstream-http.ts (https endpoints, pinned certificates); `model` = Endpoint.model when set.
 */
import { AppError } from '../../shared/errors';
import type { BackendStatus, ChatMessage, SamplingParams } from '../../shared/schemas';
import type { Endpoint } from '../backends/backend';
import { requestText, type TextResponse } from '../util/upstream-http';
import { roughTokens } from './prompt';

const TIMEOUT_MS = 30_000;

async function requestJson(
  endpoint: Endpoint,
  route: string,
  body: unknown,
  signal?: AbortSignal,
  timeoutMs = TIMEOUT_MS,
): Promise<unknown> {
  let res: TextResponse;
  try {
    res = await requestText(new URL(route, endpoint.baseUrl), {
      apiKey: endpoint.apiKey,
      json: body,
      timeoutMs,
      tls: endpoint.tls,
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (signal?.aborted && signal.reason instanceof AppError) throw signal.reason;
    throw new AppError('CHAT_FAILED', { reason: `${route}: ${(e as Error).message}` });
  }
  const text = res.body;
  if (res.status < 200 || res.status >= 300) {
    let reason = `${route}: HTTP ${res.status}`;
    try {
      reason = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? reason;
    } catch {
      /* not JSON */
    }
    throw new AppError('UPSTREAM_ERROR', { reason }, text.slice(0, 2000));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('UPSTREAM_ERROR', { reason: `${route}: not JSON` }, text.slice(0, 2000));
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Tokens per request (n_ctx of one slot); null when the backend does not say. */
export async function contextPerSlot(endpoint: Endpoint): Promise<number | null> {
  const props = await requestJson(endpoint, '/props', undefined, undefined, 10_000);
  const n = isObj(props) && isObj(props.default_generation_settings) ? props.default_generation_settings.n_ctx : null;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * The context of a run that has no /props (llama-server's): vLLM's --max-model-len, an external server's model as
 * its list says; null for llama-server (ask /props) or when not known.
 */
export function runContext(s: Pick<BackendStatus, 'target' | 'model'>): number | null {
  if (s.target?.kind === 'vllm') return s.target.maxModelLen;
  if (s.target?.kind === 'external') return s.model?.contextLength ?? null;
  return null;
}

/** The messages' tokens as the backend sees them: its chat template applied, then its tokenizer. */
export async function countPromptTokens(endpoint: Endpoint, messages: ChatMessage[]): Promise<number> {
  // Our llama-server: asked. vLLM (Endpoint.model set) and other servers (remote: Ollama, LM Studio…) have no
  // /apply-template: our estimate serves instead (a remote llama-server or DeepLocal still answers exactly).
  if (!endpoint.remote && !endpoint.model) return exactPromptTokens(endpoint, messages);
  return exactPromptTokens(endpoint, messages).catch(() => roughTokens(messages));
}

async function exactPromptTokens(endpoint: Endpoint, messages: ChatMessage[]): Promise<number> {
  const applied = await requestJson(endpoint, '/apply-template', { messages });
  const prompt = isObj(applied) ? applied.prompt : undefined;
  if (typeof prompt !== 'string') throw new AppError('UPSTREAM_ERROR', { reason: '/apply-template: no prompt' });
  return countTextTokens(endpoint, prompt, true);
}

/** Tokens of text (`special`: it holds the template's special tokens, BOS included, each counted as one). */
export async function countTextTokens(endpoint: Endpoint, content: string, special = false): Promise<number> {
  const res = await requestJson(endpoint, '/tokenize', { content, add_special: false, parse_special: special });
  const tokens = isObj(res) ? res.tokens : undefined;
  if (!Array.isArray(tokens)) throw new AppError('UPSTREAM_ERROR', { reason: '/tokenize: no tokens' });
  return tokens.length;
}

/** One short reply, not streamed: its content and its reasoning ('' where the model wrote none). */
export async function completeOnce(
  endpoint: Endpoint,
  messages: ChatMessage[],
  sampling: SamplingParams,
  signal?: AbortSignal,
  timeoutMs = 120_000,
): Promise<{ content: string; reasoning: string }> {
  const res = await requestJson(
    endpoint,
    '/v1/chat/completions',
    { ...(endpoint.model ? { model: endpoint.model } : {}), messages, stream: false, ...sampling },
    signal,
    timeoutMs,
  );
  const choice = isObj(res) && Array.isArray(res.choices) ? (res.choices[0] as unknown) : undefined;
  const message = isObj(choice) && isObj(choice.message) ? choice.message : {};
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { content: text(message.content), reasoning: text(message.reasoning_content) };
}
