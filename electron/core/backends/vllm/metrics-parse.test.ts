/**
 * vLLM's /metrics → running/waiting, KV usage, token counters and rates. Texts are quoted from public reports of real
 * vLLM servers (named per test; sources in scripts/fake-vllm/SOURCES.md) and from the stand-in's output format.
 */
import { describe, expect, it } from 'vitest';
import { parsePrometheus, vllmMetricsFrom, vllmRates } from './metrics-parse';

/** vllm-project/production-stack#318 (V0 engine, legacy gpu_cache_usage_perc). */
const V0 = `# HELP process_max_fds Maximum number of open file descriptors.
# TYPE process_max_fds gauge
process_max_fds 1.048576e+06
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{model_name="Qwen/Qwen2.5-Coder-32B-Instruct"} 0.0
`;

/** IBM/vllm PR #18 (token counters and the TTFT histogram). */
const COUNTERS = `# HELP vllm:prompt_tokens_total Number of prefill tokens processed.
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{model_name="bigscience/bloom-560m"} 1196.0
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{model_name="bigscience/bloom-560m"} 218152.0
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{le="0.001",model_name="bigscience/bloom-560m"} 0.0
vllm:time_to_first_token_seconds_bucket{le="0.02",model_name="bigscience/bloom-560m"} 112.0
`;

/** V1 engine: engine label, kv_cache_usage_perc (vllm/v1/metrics/loggers.py; a public test quoted in SOURCES.md). */
const V1 = (running: number, kv: number, gen: number, prompt: number, ttftSum: number, ttftCount: number) => `
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} ${running}
vllm:num_requests_running{engine="1",model_name="m"} 1.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
vllm:kv_cache_usage_perc{engine="0",model_name="m"} ${kv}
vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.1
vllm:prompt_tokens_total{engine="0",model_name="m"} ${prompt}
vllm:generation_tokens_total{engine="0",model_name="m"} ${gen}
vllm:time_to_first_token_seconds_sum{engine="0",model_name="m"} ${ttftSum}
vllm:time_to_first_token_seconds_count{engine="0",model_name="m"} ${ttftCount}
`;

describe('parsePrometheus', () => {
  it('reads names, labels (with escapes) and values; skips comments and junk', () => {
    const s = parsePrometheus(
      'a_total 3\nb{x="1",y="q\\"uote"} 2.5e1\n# HELP c x\nnot a metric line {\nc{le="+Inf"} +Inf\nd{bad} 1\ne NaN\n',
    );
    expect(s.map((x) => x.name)).toEqual(['a_total', 'b', 'c', 'e']);
    expect(s[1]).toEqual({ name: 'b', labels: { x: '1', y: 'q"uote' }, value: 25 });
    expect(s[2]!.value).toBe(Infinity);
    expect(Number.isNaN(s[3]!.value)).toBe(true);
  });
});

describe('vllmMetricsFrom', () => {
  it('V0 text: legacy KV name', () => {
    expect(vllmMetricsFrom(V0)).toEqual({
      running: 0,
      waiting: 0,
      kvUsage: 0,
      promptTokens: null,
      generationTokens: null,
      ttft: null,
    });
  });
  it('counters', () => {
    expect(vllmMetricsFrom(COUNTERS)).toMatchObject({ promptTokens: 1196, generationTokens: 218152, running: null });
  });
  it('V1 text: sums requests over engines, takes the fullest KV cache', () => {
    expect(vllmMetricsFrom(V1(3, 0.42, 10, 5, 0.5, 2))).toEqual({
      running: 4,
      waiting: 2,
      kvUsage: 0.42,
      promptTokens: 5,
      generationTokens: 10,
      ttft: { sum: 0.5, count: 2 },
    });
  });
  it('filters by served model name', () => {
    expect(vllmMetricsFrom(V1(3, 0.42, 10, 5, 0.5, 2), 'other').running).toBeNull();
  });
  it('is empty for a page that is not Prometheus text', () => {
    expect(vllmMetricsFrom('<html>Not Found</html>').running).toBeNull();
  });
});

describe('vllmRates', () => {
  it('tokens/s and mean TTFT between two scrapes', () => {
    const a = vllmMetricsFrom(V1(1, 0.1, 100, 50, 0.5, 2));
    const b = vllmMetricsFrom(V1(1, 0.2, 350, 150, 1.1, 4));
    const r = vllmRates(a, b, 2000);
    expect(r).toMatchObject({ generationTps: 125, promptTps: 50 });
    expect(r.ttftSeconds).toBeCloseTo(0.3, 10);
  });
  it('no rate across a restart (counter went down) or without time', () => {
    const a = vllmMetricsFrom(V1(1, 0.1, 500, 50, 2, 4));
    const b = vllmMetricsFrom(V1(1, 0.1, 20, 10, 0.1, 1));
    expect(vllmRates(a, b, 1000)).toEqual({ generationTps: null, promptTps: null, ttftSeconds: null });
    expect(vllmRates(a, a, 0).generationTps).toBeNull();
  });
});
