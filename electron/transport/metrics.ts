/**
 * `GET /metrics` in Prometheus text format (0.0.4): per-GPU gauges with a `gpu` label (the name is on
 * deeplocal_gpu_info only, so renaming nothing multiplies series), host CPU/RAM, the backend's tokens/s and
 * requests (with vLLM also the waiting ones and its KV-cache usage), and llama-server's own counters passed on. Values a GPU does not report ([N/A]) are left out rather
 * than written as NaN. Base units where Prometheus has them (bytes, hertz, celsius, watts). Pure.
 */
import type { MetricsSnapshot } from '../core/telemetry/sampler';
import type { GpuSample } from '../shared/telemetry';

export interface MetricsInput {
  snapshot: MetricsSnapshot;
  requests: { chat: number; openai: number; openaiInFlight: number };
}

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  series: { labels: Labels; value: number }[];
}

const MiB = 1024 * 1024;
const MHz = 1e6;

/** `v × unit`, with null (not reported) kept as null. */
const times = (v: number | null, unit: number) => (v === null ? null : v * unit);

/** The per-GPU gauges (each with a `gpu` label), in the order they are written, after deeplocal_gpu_info. */
const GPU_GAUGES: [name: string, help: string, value: (g: GpuSample) => number | null][] = [
  ['gpu_memory_used_bytes', 'GPU memory in use.', (g) => times(g.vramUsedMiB, MiB)],
  ['gpu_memory_total_bytes', 'GPU memory in total.', (g) => times(g.vramTotalMiB, MiB)],
  ['gpu_temperature_celsius', 'GPU temperature.', (g) => g.temperatureC],
  ['gpu_power_draw_watts', 'GPU power draw.', (g) => g.powerDrawW],
  ['gpu_power_limit_watts', 'Enforced GPU power limit.', (g) => g.powerLimitW],
  ['gpu_power_min_limit_watts', 'Lowest power limit the GPU accepts.', (g) => g.powerMinW],
  ['gpu_power_max_limit_watts', 'Highest power limit the GPU accepts.', (g) => g.powerMaxW],
  ['gpu_power_default_limit_watts', 'Default power limit.', (g) => g.powerDefaultW],
  ['gpu_utilization_percent', 'GPU utilisation (0-100).', (g) => g.utilizationPct],
  ['gpu_sm_clock_hertz', 'GPU SM (graphics) clock.', (g) => times(g.smClockMHz, MHz)],
  ['gpu_memory_clock_hertz', 'GPU memory clock.', (g) => times(g.memClockMHz, MHz)],
  ['gpu_fan_speed_percent', 'GPU fan speed (0-100).', (g) => g.fanPct],
];

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderFamilies(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.series.length === 0) continue;
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.series) {
      const labels = Object.entries(s.labels);
      const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out.push(`${f.name}${l} ${formatValue(s.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

export function renderMetrics({ snapshot, requests }: MetricsInput): string {
  const families: Family[] = [];
  const fam = (name: string, help: string, type: Family['type'] = 'gauge'): Family => {
    const f: Family = { name: `deeplocal_${name}`, help, type, series: [] };
    families.push(f);
    return f;
  };
  const add = (f: Family, value: number | null | undefined, labels: Labels = {}) => {
    if (value !== null && value !== undefined && Number.isFinite(value)) f.series.push({ labels, value });
  };

  const s = snapshot.sample;
  const info = fam('gpu_info', 'GPU present (value 1), with its name and the tool that reads it.');
  const gauges = GPU_GAUGES.map(([name, help, value]) => ({ family: fam(name, help), value }));
  for (const g of s?.gpus ?? []) {
    const gpu = { gpu: String(g.index) };
    add(info, 1, { ...gpu, name: g.name, source: snapshot.gpuSource });
    for (const { family, value } of gauges) add(family, value(g), gpu);
  }
  add(fam('cpu_usage_percent', 'CPU busy share of all cores (0-100) since the previous reading.'), s?.cpuPct);
  add(fam('memory_used_bytes', 'System RAM in use (total minus available).'), s?.ramUsedBytes);
  add(fam('memory_total_bytes', 'System RAM in total.'), s?.ramTotalBytes);
  add(fam('model_vram_bytes', 'GPU memory held by the running model process.'), times(s?.modelVramMiB ?? null, MiB));

  const b = snapshot.backend;
  const up = (s?.tokensPerSecond ?? b.tokensPerSecond) !== null;
  add(fam('backend_up', 'A model is loaded and serving (1) or not (0).'), up ? 1 : 0);
  add(
    fam('tokens_per_second', 'Generation speed of the running model over the last interval.'),
    s?.tokensPerSecond ?? b.tokensPerSecond,
  );
  add(
    fam('requests_in_flight', 'Requests the backend is processing or has queued.'),
    s?.requestsInFlight ?? b.requestsInFlight,
  );
  add(
    fam('requests_waiting', 'Of the requests in flight, those queued for a place in the batch (vLLM).'),
    s?.requestsWaiting ?? b.requestsWaiting,
  );
  add(fam('kv_cache_usage_ratio', 'Share of the KV cache in use, 0-1 (vLLM).'), s?.kvCacheUsage ?? b.kvCacheUsage);
  const total = fam(
    'requests_total',
    'Requests received, by API (chat = the app, openai = the OpenAI-compatible API).',
    'counter',
  );
  add(total, requests.chat, { api: 'chat' });
  add(total, requests.openai, { api: 'openai' });
  add(fam('openai_requests_in_flight', 'OpenAI-compatible API requests being forwarded now.'), requests.openaiInFlight);
  const m = b.metrics;
  if (m) {
    add(
      fam('backend_tokens_predicted_total', 'Tokens generated by llama-server since the model was loaded.', 'counter'),
      m.get('llamacpp:tokens_predicted_total'),
    );
    add(
      fam(
        'backend_prompt_tokens_total',
        'Prompt tokens processed by llama-server since the model was loaded.',
        'counter',
      ),
      m.get('llamacpp:prompt_tokens_total'),
    );
    // With the token counts above, the time per token (latency) over any window: rate(seconds) / rate(tokens).
    add(
      fam(
        'backend_prompt_seconds_total',
        'Seconds llama-server spent processing prompts since the model was loaded.',
        'counter',
      ),
      m.get('llamacpp:prompt_seconds_total'),
    );
    add(
      fam(
        'backend_tokens_predicted_seconds_total',
        'Seconds llama-server spent generating tokens since the model was loaded.',
        'counter',
      ),
      m.get('llamacpp:tokens_predicted_seconds_total'),
    );
    add(
      fam('backend_requests_processing', 'Requests llama-server is processing.'),
      m.get('llamacpp:requests_processing'),
    );
    add(fam('backend_requests_deferred', 'Requests llama-server has queued.'), m.get('llamacpp:requests_deferred'));
  }
  return renderFamilies(families);
}
