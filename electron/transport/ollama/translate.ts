/**
 * Ollama's request and reply shapes (docs/api.md; see SOURCES.md) and their translation to and from llama-server's
 * OpenAI-compatible API. Pure; table-tested in translate.test.ts.
 *
 * Options we map: temperature, top_p, top_k, min_p, repeat_penalty, seed, num_predict (→ max_tokens; -1 and -2
 * mean "no limit" in Ollama), stop. num_ctx is ignored: the context is the loaded model's (a load option); the
 * reply's log note says so once per model. Other options (mirostat, num_gpu…) are accepted and ignored, as Ollama
 * ignores options a runner does not know.
 *
 * Thinking: `think: true` puts the reasoning in `message.thinking` / `thinking`; `think: false` asks the template
 * not to think (chat_template_kwargs.enable_thinking = false) and drops any reasoning; without `think` the
 * reasoning stays in the text between <think> and </think>, as Ollama served R1 before `think` existed.
 */
import { z } from 'zod';

const Options = z
  .looseObject({
    temperature: z.number().min(0).max(5).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).max(1000).optional(),
    min_p: z.number().min(0).max(1).optional(),
    repeat_penalty: z.number().min(0).max(5).optional(),
    seed: z.number().int().optional(),
    num_predict: z.number().int().min(-2).max(1_000_000).optional(),
    num_ctx: z.number().int().optional(),
    stop: z.array(z.string().max(200)).max(16).optional(),
  })
  .optional();

const Format = z.union([z.literal('json'), z.literal(''), z.record(z.string(), z.unknown())]).optional();

const Common = {
  model: z.string().max(500).optional(),
  stream: z.boolean().optional(),
  options: Options,
  format: Format,
  think: z.boolean().optional(),
  keep_alive: z.union([z.string().max(50), z.number()]).optional(),
};

export const ChatRequest = z.looseObject({
  ...Common,
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['system', 'user', 'assistant', 'tool']),
        content: z
          .string()
          .max(8 * 1024 * 1024)
          .default(''),
      }),
    )
    .max(10_000)
    .default([]),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

export const GenerateRequest = z.looseObject({
  ...Common,
  prompt: z
    .string()
    .max(8 * 1024 * 1024)
    .default(''),
  system: z
    .string()
    .max(1024 * 1024)
    .optional(),
  suffix: z.string().optional(),
  /** The prompt goes to the model as is, without the chat template. */
  raw: z.boolean().optional(),
});
export type GenerateRequest = z.infer<typeof GenerateRequest>;

export const ShowRequest = z.looseObject({
  model: z.string().max(500).optional(),
  name: z.string().max(500).optional(),
});

type Common = Pick<ChatRequest, 'options' | 'format' | 'think'>;

/** The OpenAI-shaped sampling fields for llama-server. */
export function samplingOf(req: Common): Record<string, unknown> {
  const o = req.options ?? {};
  const out: Record<string, unknown> = {};
  for (const k of ['temperature', 'top_p', 'top_k', 'min_p', 'repeat_penalty', 'seed'] as const)
    if (o[k] !== undefined) out[k] = o[k];
  if (o.num_predict !== undefined && o.num_predict > 0) out.max_tokens = o.num_predict;
  if (o.stop?.length) out.stop = o.stop;
  if (req.format === 'json') out.response_format = { type: 'json_object' };
  else if (req.format && typeof req.format === 'object')
    out.response_format = { type: 'json_schema', json_schema: { schema: req.format } };
  if (req.think === false) out.chat_template_kwargs = { enable_thinking: false };
  return out;
}

/** The upstream request: path and JSON body (always streamed; stream:false is gathered here). */
export function chatUpstream(req: ChatRequest): { path: string; body: Record<string, unknown> } {
  return {
    path: '/v1/chat/completions',
    body: {
      messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      ...samplingOf(req),
    },
  };
}

export function generateUpstream(req: GenerateRequest): { path: string; body: Record<string, unknown> } {
  if (req.raw) return { path: '/v1/completions', body: { prompt: req.prompt, stream: true, ...samplingOf(req) } };
  const messages = [
    ...(req.system ? [{ role: 'system', content: req.system }] : []),
    { role: 'user', content: req.prompt },
  ];
  return { path: '/v1/chat/completions', body: { messages, stream: true, ...samplingOf(req) } };
}

/** What one upstream SSE event holds for us. */
export interface UpstreamDelta {
  content: string;
  reasoning: string;
  finishReason: string | null;
  timings: { prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number } | null;
  error: string | null;
}

/** Parses one `data:` payload (chat or text completion chunk); null for [DONE] or what is not JSON. */
export function parseUpstream(data: string): UpstreamDelta | null {
  if (data === '[DONE]') return null;
  let j: {
    choices?: { delta?: { content?: unknown; reasoning_content?: unknown }; text?: unknown; finish_reason?: unknown }[];
    timings?: UpstreamDelta['timings'];
    error?: { message?: unknown };
  };
  try {
    j = JSON.parse(data);
  } catch {
    return null;
  }
  if (!j || typeof j !== 'object') return null;
  const c = j.choices?.[0];
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    content: str(c?.delta?.content) || str(c?.text),
    reasoning: str(c?.delta?.reasoning_content),
    finishReason: typeof c?.finish_reason === 'string' ? c.finish_reason : null,
    timings: j.timings && typeof j.timings === 'object' ? j.timings : null,
    error: j.error ? String(j.error.message ?? 'error') : null,
  };
}

/**
 * Turns reasoning + content deltas into what the client sees, by the request's `think` (see the header): keeps
 * whether a <think> block is open across deltas.
 */
export function thinkShaper(think: boolean | undefined) {
  let open = false;
  return {
    shape(d: { content: string; reasoning: string }): { content: string; thinking: string } {
      if (think === true) return { content: d.content, thinking: d.reasoning };
      if (think === false) return { content: d.content, thinking: '' };
      let text = '';
      if (d.reasoning) {
        if (!open) text += '<think>\n';
        open = true;
        text += d.reasoning;
      }
      if (d.content) {
        if (open) text += '\n</think>\n\n';
        open = false;
        text += d.content;
      }
      return { content: text, thinking: '' };
    },
    /** Closes a <think> block the reply ended inside (a reply cut by its length limit while thinking). */
    end(): string {
      if (!open) return '';
      open = false;
      return '\n</think>\n\n';
    },
  };
}

export interface FinalStats {
  doneReason: string;
  totalNs: number;
  loadNs: number;
  promptN: number;
  promptNs: number;
  evalN: number;
  evalNs: number;
}

/** Ollama's done_reason from OpenAI's finish_reason. */
export function doneReason(finish: string | null): string {
  if (finish === 'length') return 'length';
  return 'stop';
}

export function finalFields(s: FinalStats): Record<string, unknown> {
  return {
    done: true,
    done_reason: s.doneReason,
    total_duration: Math.round(s.totalNs),
    load_duration: Math.round(s.loadNs),
    prompt_eval_count: s.promptN,
    prompt_eval_duration: Math.round(s.promptNs),
    eval_count: s.evalN,
    eval_duration: Math.round(s.evalNs),
  };
}
