/**
 * Which server this is (Ollama, LM Studio, vLLM, llama.cpp, TGI, another DeepLocal, OpenAI), for the list and for
 * what we may ask of it (llama.cpp and vLLM serve Prometheus /metrics). `decideFlavor` is pure (table-tested in
 * flavor.test.ts); `probeFlavor` makes the few cheap, bounded GETs it reads (each optional: a failure is "no").
 *
 * What each says about itself (checked against their sources/docs):
 *  - llama.cpp: /v1/models entries owned_by "llamacpp"; GET /props → default_generation_settings, build_info.
 *  - vLLM: owned_by "vllm"; GET /version → {"version": "0.x"}.
 *  - Ollama: GET /api/version → {"version": "0.x"}; /v1/models owned_by "library" or the namespace.
 *  - LM Studio: /v1/models owned_by "organization_owner".
 *  - TGI: GET /info → {model_id, max_total_tokens | max_input_tokens, version, …}.
 *  - DeepLocal: /v1 passes llama-server's list through (owned_by "llamacpp"); its own /api/rpc/* answers a GET with
 *    our error envelope {error: {code: "UNAUTHORIZED" | "NOT_FOUND", message}}.
 *  - OpenAI: owned_by "openai" / "system" / "openai-internal".
 */
import { ErrorCode } from '../../shared/errors';
import type { RemoteFlavor } from '../../shared/backends';
import { requestText, type EndpointTls } from '../util/upstream-http';

export interface ProbeAnswer {
  status: number;
  json: unknown;
}

export interface FlavorProbes {
  /** GET /api/version */
  ollama?: ProbeAnswer | null;
  /** GET /version */
  vllm?: ProbeAnswer | null;
  /** GET /props */
  props?: ProbeAnswer | null;
  /** GET /info */
  tgi?: ProbeAnswer | null;
  /** GET /api/rpc/app.version */
  deeplocal?: ProbeAnswer | null;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const ok = (p: ProbeAnswer | null | undefined): Record<string, unknown> | null =>
  p && p.status >= 200 && p.status < 300 ? obj(p.json) : null;
const isVersion = (v: unknown) => typeof v === 'string' && /^v?\d+\.\d+/.test(v) && v.length < 100;

/** Pure: the flavor from the models' owned_by and the probes' answers; 'unknown' when nothing says. */
export function decideFlavor(ownedBy: readonly string[], p: FlavorProbes): RemoteFlavor {
  const owners = new Set(ownedBy.map((o) => o.toLowerCase()));
  const dl = obj(p.deeplocal?.json);
  const dlCode = obj(dl?.error)?.code;
  if (p.deeplocal && typeof dlCode === 'string' && ErrorCode.safeParse(dlCode).success) return 'deeplocal';
  if (owners.has('vllm')) return 'vllm';
  if (isVersion(ok(p.ollama)?.version)) return 'ollama';
  const props = ok(p.props);
  if (owners.has('llamacpp') || (props && (obj(props.default_generation_settings) || 'build_info' in props)))
    return 'llama.cpp';
  const info = ok(p.tgi);
  if (info && typeof info.model_id === 'string' && ('max_total_tokens' in info || 'max_input_tokens' in info))
    return 'tgi';
  if (isVersion(ok(p.vllm)?.version)) return 'vllm';
  if (owners.has('organization_owner')) return 'lmstudio';
  if (owners.has('openai') || owners.has('system') || owners.has('openai-internal')) return 'openai';
  if (owners.has('library')) return 'ollama';
  return 'unknown';
}

const PROBES: Record<keyof FlavorProbes, string> = {
  ollama: '/api/version',
  vllm: '/version',
  props: '/props',
  tgi: '/info',
  deeplocal: '/api/rpc/app.version',
};

/** Makes the probes (in parallel, each within timeoutMs, answers capped at 64 KiB) and decides. Never throws. */
export async function probeFlavor(
  base: string,
  apiKey: string,
  tls: EndpointTls,
  ownedBy: readonly string[],
  timeoutMs: number,
): Promise<RemoteFlavor> {
  // The list says it already (vLLM, llama.cpp without DeepLocal in front): only the DeepLocal probe is needed.
  const wanted = (Object.keys(PROBES) as (keyof FlavorProbes)[]).filter(
    (k) => k === 'deeplocal' || !(ownedBy.includes('vllm') || ownedBy.includes('llamacpp')),
  );
  const answers = await Promise.all(
    wanted.map(async (k) => {
      try {
        const r = await requestText(`${base}${PROBES[k]}`, { apiKey, timeoutMs, tls, maxBytes: 64 * 1024 });
        let json: unknown = null;
        try {
          json = JSON.parse(r.body);
        } catch {
          /* not JSON: says nothing */
        }
        return [k, { status: r.status, json }] as const;
      } catch {
        return [k, null] as const;
      }
    }),
  );
  return decideFlavor(ownedBy, Object.fromEntries(answers) as FlavorProbes);
}
