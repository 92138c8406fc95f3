import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../core/telemetry/sampler';
import type { GpuSample } from '../shared/telemetry';
import { escapeLabel, renderMetrics } from './metrics';

const gpu = (index: number, over: Partial<GpuSample> = {}): GpuSample => ({
  index,
  name: `NVIDIA GeForce RTX 30${index}0 "OC"`,
  vramUsedMiB: 1024,
  vramTotalMiB: 24576,
  temperatureC: 70,
  powerDrawW: 300.5,
  powerLimitW: 350,
  powerMinW: 100,
  powerMaxW: 400,
  powerDefaultW: 350,
  utilizationPct: 97,
  smClockMHz: 1890,
  memClockMHz: 9751,
  fanPct: 78,
  ...over,
});

const snapshot = (over: Partial<MetricsSnapshot> = {}): MetricsSnapshot => ({
  sample: {
    ts: 1,
    gpus: [gpu(0), gpu(1, { fanPct: null, powerDrawW: null })],
    cpuPct: 12.5,
    ramUsedBytes: 1e9,
    ramTotalBytes: 4e9,
    tokensPerSecond: 42.5,
    requestsInFlight: 1,
    modelVramMiB: 512,
  },
  backend: {
    tokensPerSecond: 42.5,
    requestsInFlight: 1,
    metrics: new Map([
      ['llamacpp:tokens_predicted_total', 1234],
      ['llamacpp:prompt_tokens_total', 55],
      ['llamacpp:requests_processing', 1],
      ['llamacpp:requests_deferred', 0],
    ]),
  },
  gpuSource: 'nvidia-smi',
  ...over,
});

/** Every sample line: name{labels} value. */
const series = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

/** Lines the default snapshot must produce: gpu labels, base units (bytes, hertz), host, backend and requests. */
const EXPECTED_LINES = [
  'deeplocal_gpu_memory_used_bytes{gpu="0"} 1073741824',
  'deeplocal_gpu_memory_total_bytes{gpu="1"} 25769803776',
  'deeplocal_gpu_temperature_celsius{gpu="0"} 70',
  'deeplocal_gpu_power_draw_watts{gpu="0"} 300.5',
  'deeplocal_gpu_power_limit_watts{gpu="1"} 350',
  'deeplocal_gpu_utilization_percent{gpu="0"} 97',
  'deeplocal_gpu_sm_clock_hertz{gpu="0"} 1890000000',
  'deeplocal_gpu_memory_clock_hertz{gpu="0"} 9751000000',
  'deeplocal_gpu_fan_speed_percent{gpu="0"} 78',
  'deeplocal_gpu_info{gpu="0",name="NVIDIA GeForce RTX 3000 \\"OC\\"",source="nvidia-smi"} 1',
  'deeplocal_cpu_usage_percent 12.5',
  'deeplocal_memory_used_bytes 1000000000',
  'deeplocal_model_vram_bytes 536870912',
  'deeplocal_tokens_per_second 42.5',
  'deeplocal_backend_up 1',
  'deeplocal_requests_total{api="chat"} 3',
  'deeplocal_requests_total{api="openai"} 5',
  'deeplocal_backend_tokens_predicted_total 1234',
];

describe('/metrics text', () => {
  it('writes HELP and TYPE once per family, gpu labels, base units, and leaves out missing values', () => {
    const text = renderMetrics({ snapshot: snapshot(), requests: { chat: 3, openai: 5, openaiInFlight: 0 } });
    const lines = series(text);
    for (const line of EXPECTED_LINES) expect(lines).toContain(line);
    // GPU 1 reports no fan speed and no power draw: those families have GPU 0's line only.
    for (const family of ['deeplocal_gpu_fan_speed_percent', 'deeplocal_gpu_power_draw_watts'])
      expect(lines.filter((l) => l.startsWith(family))).toHaveLength(1);
    expect(text).toMatch(/# HELP deeplocal_requests_total .+\n# TYPE deeplocal_requests_total counter\n/);
    // Each family's HELP/TYPE appears once, and every line is valid exposition format.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(new Set(types).size).toBe(types.length);
    for (const l of lines)
      expect(l).toMatch(/^deeplocal_[a-z_]+(\{[a-z]+="(?:[^"\\]|\\.)*"(,[a-z]+="(?:[^"\\]|\\.)*")*\})? -?[\d.e+]+$/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('with no GPU and no model: host figures only, backend_up 0', () => {
    const text = renderMetrics({
      snapshot: snapshot({
        sample: {
          ts: 1,
          gpus: [],
          cpuPct: null,
          ramUsedBytes: 1,
          ramTotalBytes: 2,
          tokensPerSecond: null,
          requestsInFlight: 0,
          modelVramMiB: null,
        },
        backend: { tokensPerSecond: null, requestsInFlight: 0, metrics: null },
        gpuSource: 'none',
      }),
      requests: { chat: 0, openai: 0, openaiInFlight: 0 },
    });
    expect(text).not.toMatch(/deeplocal_gpu_/);
    expect(text).not.toMatch(/deeplocal_cpu_usage_percent/);
    expect(series(text)).toContain('deeplocal_backend_up 0');
    expect(text).not.toMatch(/deeplocal_tokens_per_second/);
  });

  it('vLLM: the waiting requests and the KV-cache usage, from the sample; absent for llama-server', () => {
    const base = snapshot();
    const text = renderMetrics({
      snapshot: snapshot({
        sample: { ...base.sample!, requestsInFlight: 5, requestsWaiting: 2, kvCacheUsage: 0.375 },
        backend: { tokensPerSecond: 40, requestsInFlight: 5, requestsWaiting: 2, kvCacheUsage: 0.375, metrics: null },
      }),
      requests: { chat: 0, openai: 0, openaiInFlight: 0 },
    });
    expect(series(text)).toEqual(
      expect.arrayContaining([
        'deeplocal_requests_in_flight 5',
        'deeplocal_requests_waiting 2',
        'deeplocal_kv_cache_usage_ratio 0.375',
      ]),
    );
    expect(text).toMatch(/# HELP deeplocal_kv_cache_usage_ratio .+\n# TYPE deeplocal_kv_cache_usage_ratio gauge\n/);
    const llama = renderMetrics({ snapshot: base, requests: { chat: 0, openai: 0, openaiInFlight: 0 } });
    expect(llama).not.toMatch(/deeplocal_requests_waiting|deeplocal_kv_cache_usage_ratio/);
  });

  it.each([
    ['plain', 'plain'],
    ['a "quote"', 'a \\"quote\\"'],
    ['back\\slash', 'back\\\\slash'],
    ['new\nline', 'new\\nline'],
  ])('escapes label %j', (v, e) => {
    expect(escapeLabel(v)).toBe(e);
  });
});
