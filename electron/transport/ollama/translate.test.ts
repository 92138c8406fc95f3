import { describe, expect, it } from 'vitest';
import {
  ChatRequest,
  chatUpstream,
  doneReason,
  generateUpstream,
  GenerateRequest,
  parseUpstream,
  samplingOf,
  thinkShaper,
} from './translate';

describe('Ollama options → llama-server sampling', () => {
  it.each([
    [{}, {}],
    [
      { options: { temperature: 0.2, top_p: 0.9, top_k: 40, min_p: 0.05, repeat_penalty: 1.1, seed: 7 } },
      { temperature: 0.2, top_p: 0.9, top_k: 40, min_p: 0.05, repeat_penalty: 1.1, seed: 7 },
    ],
    // -1 (infinite) and -2 (fill the context) mean no limit; num_ctx is the loaded model's business.
    [{ options: { num_predict: 64, num_ctx: 8192 } }, { max_tokens: 64 }],
    [{ options: { num_predict: -1 } }, {}],
    [{ options: { num_predict: -2, stop: ['\n\n'] } }, { stop: ['\n\n'] }],
    [{ format: 'json' as const }, { response_format: { type: 'json_object' } }],
    [
      { format: { type: 'object' } },
      { response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } } },
    ],
    [{ think: false }, { chat_template_kwargs: { enable_thinking: false } }],
  ])('%j → %j', (req, want) => {
    expect(samplingOf(req)).toEqual(want);
  });

  it('refuses options out of range and roles Ollama has not', () => {
    expect(ChatRequest.safeParse({ model: 'm', messages: [], options: { temperature: 9 } }).success).toBe(false);
    expect(ChatRequest.safeParse({ model: 'm', messages: [{ role: 'root', content: 'x' }] }).success).toBe(false);
    expect(ChatRequest.safeParse({ model: 'm', messages: [{ role: 'user', content: 'x', images: [] }] }).success).toBe(
      true,
    );
  });

  it('generate: a chat turn with the system prompt, or the raw prompt to /v1/completions', () => {
    const g = GenerateRequest.parse({ model: 'm', prompt: 'hi', system: 'be brief' });
    expect(generateUpstream(g)).toEqual({
      path: '/v1/chat/completions',
      body: {
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
        stream: true,
      },
    });
    expect(generateUpstream(GenerateRequest.parse({ model: 'm', prompt: 'hi', raw: true }))).toEqual({
      path: '/v1/completions',
      body: { prompt: 'hi', stream: true },
    });
    expect(chatUpstream(ChatRequest.parse({ model: 'm', messages: [{ role: 'user' }] })).body.messages).toEqual([
      { role: 'user', content: '' },
    ]);
  });
});

describe('llama-server SSE → deltas', () => {
  it.each([
    ['[DONE]', null],
    ['not json', null],
    [
      '{"choices":[{"delta":{"content":"a"}}]}',
      { content: 'a', reasoning: '', finishReason: null, timings: null, error: null },
    ],
    [
      '{"choices":[{"delta":{"reasoning_content":"r"}}]}',
      { content: '', reasoning: 'r', finishReason: null, timings: null, error: null },
    ],
    [
      '{"choices":[{"text":"t","finish_reason":"length"}],"timings":{"predicted_n":3}}',
      { content: 't', reasoning: '', finishReason: 'length', timings: { predicted_n: 3 }, error: null },
    ],
    ['{"error":{"message":"boom"}}', { content: '', reasoning: '', finishReason: null, timings: null, error: 'boom' }],
  ])('%s', (data, want) => {
    expect(parseUpstream(data)).toEqual(want);
  });

  it('done_reason', () => {
    expect([doneReason('length'), doneReason('stop'), doneReason(null)]).toEqual(['length', 'stop', 'stop']);
  });
});

describe('thinking', () => {
  const run = (think: boolean | undefined, deltas: { content: string; reasoning: string }[]) => {
    const s = thinkShaper(think);
    const out = deltas.map((d) => s.shape(d));
    return { content: out.map((o) => o.content).join('') + s.end(), thinking: out.map((o) => o.thinking).join('') };
  };
  const deltas = [
    { content: '', reasoning: 'hmm' },
    { content: '', reasoning: ' ok' },
    { content: 'Answer', reasoning: '' },
  ];
  it('think:true → message.thinking', () =>
    expect(run(true, deltas)).toEqual({ content: 'Answer', thinking: 'hmm ok' }));
  it('think:false → reasoning dropped', () => expect(run(false, deltas)).toEqual({ content: 'Answer', thinking: '' }));
  it('think unset → inline <think> block', () =>
    expect(run(undefined, deltas)).toEqual({ content: '<think>\nhmm ok\n</think>\n\nAnswer', thinking: '' }));
  it('a reply cut while thinking closes the block', () =>
    expect(run(undefined, deltas.slice(0, 1))).toEqual({ content: '<think>\nhmm\n</think>\n\n', thinking: '' }));
});
