/**
 * The hub endpoints in play and the order to try them: the defaults, the environment's overrides (HF_ENDPOINT,
 * MODELSCOPE_DOMAIN / MODELSCOPE_ENDPOINT), the user's custom endpoint, and a bounded latency probe.
 */
import type { EndpointId, EndpointInfo, EndpointProbe, HubSettings } from '../../shared/models';
import { fetchFailureReason } from '../util/fetch-failure';
import { HUB_USER_AGENT, type HubHttp } from './hubs';

export const DEFAULT_ENDPOINT_URLS: Record<Exclude<EndpointId, 'custom'>, string> = {
  huggingface: 'https://huggingface.co',
  'hf-mirror': 'https://hf-mirror.com',
  modelscope: 'https://www.modelscope.cn',
};

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/**
 * The endpoints in play. HF_ENDPOINT (the huggingface_hub convention) replaces huggingface.co and hf-mirror; the
 * ModelScope SDK's MODELSCOPE_DOMAIN (a host) or our MODELSCOPE_ENDPOINT (a URL) replaces modelscope.cn.
 * `overrides` lets tests point every endpoint at the hub emulator.
 */
export function endpointCandidates(
  hub: Pick<HubSettings, 'customEndpoint'>,
  env: NodeJS.ProcessEnv = {},
  overrides: Partial<Record<EndpointId, string>> = {},
): EndpointInfo[] {
  const hfEnv = env.HF_ENDPOINT?.trim() || null;
  const msDomain = env.MODELSCOPE_DOMAIN?.trim();
  const msEnv =
    env.MODELSCOPE_ENDPOINT?.trim() ||
    (msDomain ? (/^https?:\/\//i.test(msDomain) ? msDomain : `https://${msDomain}`) : null);
  const list: EndpointInfo[] = [
    { id: 'huggingface', hub: 'huggingface', url: overrides.huggingface ?? hfEnv ?? DEFAULT_ENDPOINT_URLS.huggingface },
  ];
  if (!hfEnv || overrides['hf-mirror'])
    list.push({
      id: 'hf-mirror',
      hub: 'huggingface',
      url: overrides['hf-mirror'] ?? DEFAULT_ENDPOINT_URLS['hf-mirror'],
    });
  list.push({
    id: 'modelscope',
    hub: 'modelscope',
    url: overrides.modelscope ?? msEnv ?? DEFAULT_ENDPOINT_URLS.modelscope,
  });
  const custom = overrides.custom ?? hub.customEndpoint;
  if (custom) list.push({ id: 'custom', hub: 'huggingface', url: custom });
  return list.map((e) => ({ ...e, url: trimSlash(e.url) }));
}

/**
 * Time to the response headers of a HEAD on each endpoint's root, best of `samples`, all endpoints at once and
 * bounded by `timeoutMs` in total. Any HTTP answer counts as reachable; only the network decides.
 */
export async function probeEndpoints(
  eps: EndpointInfo[],
  http: HubHttp,
  timeoutMs = 3000,
  samples = 2,
): Promise<EndpointProbe[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(
    eps.map(async (ep): Promise<EndpointProbe> => {
      let best: number | null = null;
      let error: string | null = null;
      for (let i = 0; i < samples; i++) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const t0 = performance.now();
        try {
          const res = await http.fetch(`${ep.url}/`, {
            method: 'HEAD',
            redirect: 'manual',
            headers: { 'user-agent': http.userAgent ?? HUB_USER_AGENT },
            signal: AbortSignal.timeout(left),
          });
          await res.body?.cancel().catch(() => undefined);
          const ms = performance.now() - t0;
          best = best === null ? ms : Math.min(best, ms);
        } catch (e) {
          error = fetchFailureReason(e);
          break;
        }
      }
      return {
        ...ep,
        ok: best !== null,
        latencyMs: best === null ? null : Math.round(best * 10) / 10,
        error: best === null ? (error ?? 'timed out') : null,
      };
    }),
  );
}

/** Endpoints in the order to try: the user's choice (or HF_ENDPOINT) first, then by measured latency, unreachable last. */
export function orderEndpoints(
  eps: EndpointInfo[],
  choice: HubSettings['endpoint'],
  probes: EndpointProbe[] | null,
  env: NodeJS.ProcessEnv = {},
): EndpointInfo[] {
  const lat = new Map(probes?.map((p) => [p.id, p.ok ? (p.latencyMs ?? Infinity) : Infinity]) ?? []);
  const first: EndpointId | null = choice !== 'auto' ? choice : env.HF_ENDPOINT ? 'huggingface' : null;
  return [...eps].sort((a, b) => {
    if (first && (a.id === first) !== (b.id === first)) return a.id === first ? -1 : 1;
    return (lat.get(a.id) ?? Infinity) - (lat.get(b.id) ?? Infinity) || eps.indexOf(a) - eps.indexOf(b);
  });
}
