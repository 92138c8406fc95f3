import { describe, expect, it } from 'vitest';
import type { BackendCapabilities, Endpoint } from '../backends/backend';
import { BackendStatsPoller, parsePrometheus, summarizeSlots, TokenRate } from './backend-stats';

/** What a llama-server started by us serves (llama-args.ts llamaCapabilities), at `base`. */
const llamaCaps = (base: string): BackendCapabilities => ({
  reasoning: 'separate',
  speculative: null,
  metrics: { url: `${base}/metrics`, dialect: 'llamacpp' },
  slotsUrl: `${base}/slots`,
  embeddings: false,
});

const METRICS = `# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total 120
# HELP llamacpp:tokens_predicted_total Number of generation tokens processed
# TYPE llamacpp:tokens_predicted_total counter
llamacpp:tokens_predicted_total 1000
llamacpp:requests_processing 1
llamacpp:requests_deferred 2
llamacpp:spec_decode_num_accepted_tokens_per_pos_total{position="0"} 7
`;

describe('backend stats', () => {
  it('parses Prometheus text, labelled series by their full key', () => {
    const m = parsePrometheus(METRICS);
    expect(m.get('llamacpp:tokens_predicted_total')).toBe(1000);
    expect(m.get('llamacpp:requests_deferred')).toBe(2);
    expect(m.get('llamacpp:spec_decode_num_accepted_tokens_per_pos_total{position="0"}')).toBe(7);
    expect(m.size).toBe(5);
  });

  it.each<[string, unknown, { processing: number; decoded: number } | null]>([
    ['not an array', { error: 'x' }, null],
    ['idle slots', [{ id: 0, is_processing: false, next_token: [{ n_decoded: 0 }] }], { processing: 0, decoded: 0 }],
    [
      'two busy, one idle keeps its stale count out',
      [
        { id: 0, is_processing: true, next_token: [{ n_decoded: 40 }] },
        { id: 1, is_processing: true, next_token: [{ n_decoded: 2 }] },
        { id: 2, is_processing: false, next_token: [{ n_decoded: 99 }] },
      ],
      { processing: 2, decoded: 42 },
    ],
    ['a slot without next_token', [{ id: 0, is_processing: true }], { processing: 1, decoded: 0 }],
  ])('summarizeSlots: %s', (_n, json, expected) => {
    expect(summarizeSlots(json)).toEqual(expected);
  });

  it('turns a growing count into tokens/s, never negative', () => {
    const r = new TokenRate();
    expect(r.update(100, 0)).toBe(0);
    expect(r.update(150, 500)).toBe(100);
    expect(r.update(149, 1500)).toBe(0);
    expect(r.update(149, 1500)).toBe(0);
  });

  it('counts finished and in-progress tokens together, resets on a new run', async () => {
    let ep: Endpoint | null = { baseUrl: 'http://a', apiKey: 'k' };
    const responses: Record<string, { status: number; body: string }> = {};
    const get = async (url: string) => responses[url.replace(/^http:\/\/\w+/, '')] ?? { status: 500, body: '' };
    const p = new BackendStatsPoller(
      { endpoint: () => ep, capabilities: () => (ep ? llamaCaps(ep.baseUrl) : null) },
      100,
      get,
    );
    responses['/metrics'] = {
      status: 200,
      body: 'llamacpp:tokens_predicted_total 100\nllamacpp:requests_deferred 0\n',
    };
    responses['/slots'] = {
      status: 200,
      body: JSON.stringify([{ is_processing: true, next_token: [{ n_decoded: 10 }] }]),
    };
    expect(await p.poll(0)).toMatchObject({ tokensPerSecond: 0, requestsInFlight: 1 });
    // The reply finished between polls: its 30 tokens moved into the total, the slot is idle.
    responses['/metrics'] = { status: 200, body: 'llamacpp:tokens_predicted_total 140\n' };
    responses['/slots'] = {
      status: 200,
      body: JSON.stringify([{ is_processing: false, next_token: [{ n_decoded: 0 }] }]),
    };
    expect(await p.poll(1000)).toMatchObject({ tokensPerSecond: 30, requestsInFlight: 0 });
    ep = { baseUrl: 'http://b', apiKey: 'k' };
    expect((await p.poll(2000)).tokensPerSecond).toBe(0);
    ep = null;
    expect(await p.poll(3000)).toEqual({ tokensPerSecond: null, requestsInFlight: 0, metrics: null });
  });

  it.each<{ name: string; caps: Partial<BackendCapabilities>; asked: string[]; want: object }>([
    // A backend that serves neither (an external server, say) is not polled at all: no failing request per tick.
    {
      name: 'no metrics, no slots',
      caps: { metrics: null, slotsUrl: null },
      asked: [],
      want: { tokensPerSecond: null, requestsInFlight: 0, metrics: null },
    },
    // Without /slots the finished-token counter alone drives the rate, and in-flight comes from the metrics.
    {
      name: 'metrics only',
      caps: { slotsUrl: null },
      asked: ['http://a/metrics'],
      want: { tokensPerSecond: 0, requestsInFlight: 3 },
    },
    // The URLs come from the capabilities, not from llama-server's paths pasted onto the base URL.
    {
      name: 'elsewhere',
      caps: { metrics: { url: 'http://a/prom', dialect: 'llamacpp' }, slotsUrl: 'http://a/live' },
      asked: ['http://a/prom', 'http://a/live'],
      want: { requestsInFlight: 2 },
    },
  ])('asks only what the capabilities name: $name', async ({ caps, asked, want }) => {
    const seen: string[] = [];
    const get = async (url: string) => {
      seen.push(url);
      return {
        status: 200,
        body: url.endsWith('/live')
          ? '[]'
          : 'llamacpp:tokens_predicted_total 5\nllamacpp:requests_processing 1\nllamacpp:requests_deferred 2\n',
      };
    };
    const p = new BackendStatsPoller(
      {
        endpoint: () => ({ baseUrl: 'http://a', apiKey: 'k' }),
        capabilities: () => ({ ...llamaCaps('http://a'), ...caps }),
      },
      100,
      get,
    );
    expect(await p.poll(0)).toMatchObject(want);
    expect(seen.sort()).toEqual([...asked].sort());
  });
  it('vLLM: tokens/s from generation_tokens_total, running + waiting, KV usage; only the served model counts', async () => {
    let body = '';
    const seen: string[] = [];
    const get = async (url: string) => {
      seen.push(url);
      return { status: 200, body };
    };
    const caps: BackendCapabilities = {
      reasoning: 'separate',
      speculative: null,
      metrics: { url: 'http://v/metrics', dialect: 'vllm' },
      slotsUrl: null,
      embeddings: false,
    };
    const p = new BackendStatsPoller(
      { endpoint: () => ({ baseUrl: 'http://v', apiKey: 'k', model: 'r1' }), capabilities: () => caps },
      100,
      get,
    );
    const text = (gen: number, running: number, waiting: number, kvName: string, kv: number) =>
      [
        '# HELP vllm:num_requests_running Number of requests in model execution batches.',
        '# TYPE vllm:num_requests_running gauge',
        `vllm:num_requests_running{engine="0",model_name="r1"} ${running}.0`,
        `vllm:num_requests_waiting{engine="0",model_name="r1"} ${waiting}.0`,
        `${kvName}{engine="0",model_name="r1"} ${kv}`,
        `vllm:generation_tokens_total{engine="0",model_name="r1"} ${gen}.0`,
        'vllm:generation_tokens_total{engine="0",model_name="other"} 99999.0',
        'vllm:num_requests_waiting{engine="0",model_name="other"} 7.0',
      ].join('\n') + '\n';
    body = text(100, 1, 0, 'vllm:kv_cache_usage_perc', 0.25);
    expect(await p.poll(0)).toMatchObject({
      tokensPerSecond: 0,
      requestsInFlight: 1,
      requestsWaiting: 0,
      kvCacheUsage: 0.25,
    });
    // Older releases name the KV gauge gpu_cache_usage_perc.
    body = text(160, 2, 3, 'vllm:gpu_cache_usage_perc', 0.5);
    const r = await p.poll(2000);
    expect(r).toMatchObject({ tokensPerSecond: 30, requestsInFlight: 5, requestsWaiting: 3, kvCacheUsage: 0.5 });
    expect(r.metrics?.get('vllm:generation_tokens_total{engine="0",model_name="r1"}')).toBe(160);
    expect(seen).toEqual(['http://v/metrics', 'http://v/metrics']);
    // A failed scrape: no figures, not a crash.
    const failing = new BackendStatsPoller(
      { endpoint: () => ({ baseUrl: 'http://v', apiKey: 'k', model: 'r1' }), capabilities: () => caps },
      100,
      async () => ({ status: 503, body: '' }),
    );
    expect(await failing.poll(0)).toEqual({ tokensPerSecond: null, requestsInFlight: 0, metrics: null });
  });
});
