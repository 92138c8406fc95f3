/**
 * vLLM's Prometheus /metrics → the backend figures the sampler charts (backends/vllm/metrics-parse.ts reads the
 * series): tokens/s from vllm:generation_tokens_total (vLLM counts each step's tokens as they are generated, so the
 * rate is live without a /slots read), requests running + waiting, waiting alone, and the KV-cache usage 0..1
 * (vllm:kv_cache_usage_perc, or vllm:gpu_cache_usage_perc on older releases). Only the served model's series count.
 */
import { vllmMetricsFrom } from '../backends/vllm/metrics-parse';
import type { BackendStats, TokenRate } from './backend-stats';

export function vllmStats(
  body: string | null,
  servedName: string | undefined,
  rate: TokenRate,
  nowMs: number,
  metrics: Map<string, number> | null,
): BackendStats {
  if (body === null) return { tokensPerSecond: null, requestsInFlight: 0, metrics: null };
  const m = vllmMetricsFrom(body, servedName);
  const tokensPerSecond = m.generationTokens === null ? 0 : rate.update(m.generationTokens, nowMs);
  const running = m.running ?? 0;
  const waiting = m.waiting ?? 0;
  return {
    tokensPerSecond: Math.round(tokensPerSecond * 10) / 10,
    requestsInFlight: Math.round(running + waiting),
    requestsWaiting: Math.round(waiting),
    kvCacheUsage: m.kvUsage,
    metrics,
  };
}
