/**
 * resources/grafana/deeplocal.json against what /metrics writes: a dashboard query naming a metric we do not emit
 * (a typo, a rename in metrics.ts) shows an empty panel with no error, so every name is checked here. The real
 * llama-server's side (the llamacpp:* counters the latency panels need) is checked in lan.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../core/telemetry/sampler';
import { familiesOf, metricNamesOf, queriesOf, readDashboard } from './grafana-dashboard';
import { renderMetrics } from './metrics';

/** Every field reported: the most /metrics ever writes. */
const full: MetricsSnapshot = {
  sample: {
    ts: 1,
    gpus: [
      {
        index: 0,
        name: 'GPU',
        vramUsedMiB: 1,
        vramTotalMiB: 2,
        temperatureC: 50,
        powerDrawW: 100,
        powerLimitW: 200,
        powerMinW: 50,
        powerMaxW: 250,
        powerDefaultW: 200,
        utilizationPct: 10,
        smClockMHz: 1000,
        memClockMHz: 2000,
        fanPct: 30,
      },
    ],
    cpuPct: 1,
    ramUsedBytes: 1,
    ramTotalBytes: 2,
    tokensPerSecond: 3,
    requestsInFlight: 1,
    modelVramMiB: 1,
  },
  backend: {
    tokensPerSecond: 3,
    requestsInFlight: 1,
    metrics: new Map([
      ['llamacpp:tokens_predicted_total', 1],
      ['llamacpp:tokens_predicted_seconds_total', 1],
      ['llamacpp:prompt_tokens_total', 1],
      ['llamacpp:prompt_seconds_total', 1],
      ['llamacpp:requests_processing', 1],
      ['llamacpp:requests_deferred', 0],
    ]),
  },
  gpuSource: 'nvidia-smi',
};

const dashboard = readDashboard();

describe('the Grafana dashboard', () => {
  it('queries only metrics that /metrics writes', () => {
    const emitted = familiesOf(renderMetrics({ snapshot: full, requests: { chat: 1, openai: 1, openaiInFlight: 0 } }));
    const used = metricNamesOf(dashboard);
    expect(used.length).toBeGreaterThan(15);
    expect(used.filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('covers throughput, latency, queue depth and the GPU (memory, temperature, power)', () => {
    const used = metricNamesOf(dashboard);
    for (const name of [
      'deeplocal_tokens_per_second',
      'deeplocal_backend_tokens_predicted_seconds_total',
      'deeplocal_backend_prompt_seconds_total',
      'deeplocal_backend_requests_deferred',
      'deeplocal_gpu_memory_used_bytes',
      'deeplocal_gpu_temperature_celsius',
      'deeplocal_gpu_power_draw_watts',
    ])
      expect(used).toContain(name);
  });

  it('imports anywhere: every panel uses the datasource variable, ids are unique, panels fit the 24-column grid', () => {
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance', 'gpu']);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.type).toBe('${datasource}');
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    // Every panel query is scoped to the chosen instance(s).
    for (const q of queriesOf(dashboard).filter((x) => !x.startsWith('label_values(deeplocal_backend_up')))
      expect(q, q).toContain('instance=~"$instance"');
  });
});
