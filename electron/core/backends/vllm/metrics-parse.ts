/**
 * Pure: vLLM's Prometheus /metrics text → what the Monitor charts and our own /metrics need. Names (V1 engine, see
 * scripts/fake-vllm/SOURCES.md): vllm:num_requests_running / vllm:num_requests_waiting (gauges),
 * vllm:kv_cache_usage_perc (gauge 0..1; before it, vllm:gpu_cache_usage_perc, which older releases print instead and
 * some print beside it as deprecated), vllm:prompt_tokens_total / vllm:generation_tokens_total (counters),
 * vllm:time_to_first_token_seconds (histogram). Series carry labels (model_name, engine): values of one name are
 * summed across engines (data parallel), except the KV usage, which takes the fullest engine.
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?\s*$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function promNumber(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
}

/** Prometheus text exposition format → samples (comments and malformed lines skipped; hostile input is bounded). */
export function parsePrometheus(text: string, maxLines = 20_000): PromSample[] {
  const out: PromSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < maxLines; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      let l: RegExpExecArray | null;
      let end = 0;
      while ((l = LABEL.exec(m[2])) !== null) {
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        end = LABEL.lastIndex;
      }
      if (end !== m[2].length) continue;
    }
    out.push({ name: m[1]!, labels, value: promNumber(m[3]!) });
  }
  return out;
}

export interface VllmMetrics {
  running: number | null;
  waiting: number | null;
  /** 0..1 */
  kvUsage: number | null;
  promptTokens: number | null;
  generationTokens: number | null;
  /** Sum and count of the time-to-first-token histogram (seconds). */
  ttft: { sum: number; count: number } | null;
}

function sumOf(samples: PromSample[], name: string): number | null {
  let found = false;
  let total = 0;
  for (const s of samples) {
    if (s.name === name && Number.isFinite(s.value)) {
      found = true;
      total += s.value;
    }
  }
  return found ? total : null;
}

function maxOf(samples: PromSample[], name: string): number | null {
  let best: number | null = null;
  for (const s of samples)
    if (s.name === name && Number.isFinite(s.value)) best = best === null ? s.value : Math.max(best, s.value);
  return best;
}

/** Picks vLLM's series; `modelName` limits them to one served model when the server has several. */
export function vllmMetricsFrom(text: string, modelName?: string): VllmMetrics {
  const all = parsePrometheus(text);
  const samples = modelName
    ? all.filter((s) => s.labels.model_name === undefined || s.labels.model_name === modelName)
    : all;
  const kv = maxOf(samples, 'vllm:kv_cache_usage_perc') ?? maxOf(samples, 'vllm:gpu_cache_usage_perc');
  const sum = sumOf(samples, 'vllm:time_to_first_token_seconds_sum');
  const count = sumOf(samples, 'vllm:time_to_first_token_seconds_count');
  return {
    running: sumOf(samples, 'vllm:num_requests_running'),
    waiting: sumOf(samples, 'vllm:num_requests_waiting'),
    kvUsage: kv === null ? null : Math.min(1, Math.max(0, kv)),
    promptTokens: sumOf(samples, 'vllm:prompt_tokens_total'),
    generationTokens: sumOf(samples, 'vllm:generation_tokens_total'),
    ttft: sum !== null && count !== null ? { sum, count } : null,
  };
}

export interface VllmRates {
  /** Generated tokens per second between the two scrapes. */
  generationTps: number | null;
  promptTps: number | null;
  /** Mean time to first token of the requests that started between the scrapes, seconds. */
  ttftSeconds: number | null;
}

/**
 * Rates between two scrapes `dtMs` apart. A counter that went down means vLLM restarted: no rate for that interval.
 */
export function vllmRates(prev: VllmMetrics, cur: VllmMetrics, dtMs: number): VllmRates {
  const rate = (a: number | null, b: number | null) =>
    a === null || b === null || dtMs <= 0 || b < a ? null : (b - a) / (dtMs / 1000);
  let ttftSeconds: number | null = null;
  if (prev.ttft && cur.ttft && cur.ttft.count > prev.ttft.count && cur.ttft.sum >= prev.ttft.sum) {
    ttftSeconds = (cur.ttft.sum - prev.ttft.sum) / (cur.ttft.count - prev.ttft.count);
  }
  return {
    generationTps: rate(prev.generationTokens, cur.generationTokens),
    promptTps: rate(prev.promptTokens, cur.promptTokens),
    ttftSeconds,
  };
}
