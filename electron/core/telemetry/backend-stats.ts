/**
 * Tokens/s and requests in flight from the running backend, whoever the clients are (our chat, the OpenAI proxy,
 * programs talking to it directly), read from what its capabilities say it serves (a metrics URL and the naming of
 * its series, a slots URL). llama-server's /metrics counts a request's tokens only when it ends,
 * so a long reply would read 0 tokens/s until its last token; /slots shows each busy slot's `n_decoded` live.
 * Generated so far = tokens_predicted_total (finished) + Σ n_decoded (busy slots); the rate is its change per
 * second. A slot's count moves from one term to the other at the same moment it is released, so the sum is
 * continuous (the two reads are separate requests: a small dip is clamped to 0).
 */
import type { Backend, BackendCapabilities } from '../backends/backend';
import { vllmStats } from './vllm-stats';
import { getText as upstreamGetText, type EndpointTls } from '../util/upstream-http';

/** Prometheus text → sample values by series (`name` or `name{labels}` exactly as written). */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([^\s{]+(?:\{[^}]*\})?)\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (!Number.isNaN(v)) out.set(m[1]!, v);
  }
  return out;
}

export interface SlotsSummary {
  /** Slots working on a request. */
  processing: number;
  /** Tokens generated so far by the requests in those slots. */
  decoded: number;
}

/** GET /slots → how busy the server is now; null if the body is not a slots array. */
export function summarizeSlots(json: unknown): SlotsSummary | null {
  if (!Array.isArray(json)) return null;
  let processing = 0;
  let decoded = 0;
  for (const s of json as Record<string, unknown>[]) {
    if (!s || typeof s !== 'object' || s.is_processing !== true) continue;
    processing++;
    const next = Array.isArray(s.next_token) ? (s.next_token[0] as Record<string, unknown> | undefined) : undefined;
    const n = next && typeof next.n_decoded === 'number' ? next.n_decoded : 0;
    decoded += n;
  }
  return { processing, decoded };
}

/** Turns a growing token count into a rate. */
export class TokenRate {
  private last: { total: number; at: number } | null = null;
  /** Tokens/s since the previous update (0 on the first one: the model runs, nothing measured yet). */
  update(total: number, atMs: number): number {
    const prev = this.last;
    this.last = { total, at: atMs };
    if (!prev || atMs <= prev.at) return 0;
    return Math.max(0, ((total - prev.total) * 1000) / (atMs - prev.at));
  }
  reset(): void {
    this.last = null;
  }
}

/** The series each metrics dialect names what we read. */
const SERIES: Record<
  NonNullable<BackendCapabilities['metrics']>['dialect'],
  { generated: string; processing: string; deferred: string }
> = {
  llamacpp: {
    generated: 'llamacpp:tokens_predicted_total',
    processing: 'llamacpp:requests_processing',
    deferred: 'llamacpp:requests_deferred',
  },
  // vLLM's Prometheus names (scripts/fake-vllm/SOURCES.md); poll() reads vLLM through vllm-stats.ts (KV-cache usage).
  vllm: {
    generated: 'vllm:generation_tokens_total',
    processing: 'vllm:num_requests_running',
    deferred: 'vllm:num_requests_waiting',
  },
};

export interface BackendStats {
  /** null when no model runs. */
  tokensPerSecond: number | null;
  requestsInFlight: number;
  /** The backend's own /metrics, for our /metrics to pass on. */
  metrics: Map<string, number> | null;
  /** Of requestsInFlight, those waiting (vLLM: vllm:num_requests_waiting); absent where the dialect has none. */
  requestsWaiting?: number;
  /** KV-cache use 0..1 (vLLM); absent where the dialect has none, null when its series is missing. */
  kvCacheUsage?: number | null;
}

export const noBackend: BackendStats = { tokensPerSecond: null, requestsInFlight: 0, metrics: null };

/** A GET of the endpoint's (util/upstream-http.ts: http without a pooled socket, https with its pinned certificate). */
export function getText(
  url: string,
  apiKey: string,
  timeoutMs: number,
  tls?: EndpointTls,
): Promise<{ status: number; body: string }> {
  return upstreamGetText(url, apiKey, timeoutMs, tls);
}

export class BackendStatsPoller {
  private rate = new TokenRate();
  private base: string | null = null;
  private slotsDisabled = false;

  constructor(
    private readonly backend: Pick<Backend, 'endpoint' | 'capabilities'>,
    private readonly timeoutMs = 800,
    private readonly get = getText,
  ) {}

  async poll(nowMs: number): Promise<BackendStats> {
    const ep = this.backend.endpoint();
    const caps = this.backend.capabilities();
    if (!ep || !caps) {
      this.reset();
      return noBackend;
    }
    if (ep.baseUrl !== this.base) {
      // A new run: its counters start from zero.
      this.reset();
      this.base = ep.baseUrl;
    }
    const slotsUrl = this.slotsDisabled ? null : caps.slotsUrl;
    const [m, s] = await Promise.all([
      caps.metrics ? this.get(caps.metrics.url, ep.apiKey, this.timeoutMs, ep.tls).catch(() => null) : null,
      slotsUrl ? this.get(slotsUrl, ep.apiKey, this.timeoutMs, ep.tls).catch(() => null) : null,
    ]);
    const metrics = m && m.status === 200 ? parsePrometheus(m.body) : null;
    if (caps.metrics?.dialect === 'vllm')
      return vllmStats(m && m.status === 200 ? m.body : null, ep.model, this.rate, nowMs, metrics);
    if (s && (s.status === 501 || s.status === 404)) this.slotsDisabled = true;
    let slots: SlotsSummary | null = null;
    if (s && s.status === 200) {
      try {
        slots = summarizeSlots(JSON.parse(s.body));
      } catch {
        slots = null;
      }
    }
    if (!metrics && !slots) return { tokensPerSecond: null, requestsInFlight: 0, metrics: null };
    const series = caps.metrics ? SERIES[caps.metrics.dialect] : null;
    const value = (k: keyof typeof SERIES.llamacpp) => (series ? metrics?.get(series[k]) : undefined);
    const finished = value('generated') ?? 0;
    const tokensPerSecond = this.rate.update(finished + (slots?.decoded ?? 0), nowMs);
    const deferred = value('deferred') ?? 0;
    const processing = slots?.processing ?? value('processing') ?? 0;
    return {
      tokensPerSecond: Math.round(tokensPerSecond * 10) / 10,
      requestsInFlight: Math.round(processing + deferred),
      metrics,
    };
  }

  reset(): void {
    this.rate.reset();
    this.base = null;
    this.slotsDisabled = false;
  }
}
