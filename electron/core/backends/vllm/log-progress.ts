/**
 * Pure: vLLM's startup log → load phase and progress. vLLM opens its port only when the model is loaded, so until
 * then readiness comes from the process and these lines (each one also restarts the stall timer). The phases follow
 * a V1-engine startup (scripts/fake-vllm/fixtures/startup.log and the captures in SOURCES.md):
 *   starting → config (Resolved architecture, max model len) → engine (V1 engine init) → weights (Starting to load
 *   model, the shard progress bar) → kv-cache (Model loading took …, KV cache size, CUDA graphs, init engine took …)
 *   → listening (Starting vLLM [API] server on URL, Available routes, uvicorn startup) → ready (Application startup
 *   complete; /health answers).
 */
import { splitVllmLine } from './log-line';

export type VllmPhase = 'starting' | 'config' | 'engine' | 'weights' | 'kv-cache' | 'listening' | 'ready';

export interface VllmProgress {
  phase: VllmPhase;
  /** 0..1, monotone. */
  progress: number;
  /** Where it listens, once "Starting vLLM … server on URL" was printed. */
  url: string | null;
  version: string | null;
  /** Weights in GiB, from "Model loading took X GiB". */
  weightsGiB: number | null;
  /** Tokens the KV cache holds, from "GPU KV cache size: N tokens". */
  kvTokens: number | null;
  maxModelLen: number | null;
  architecture: string | null;
}

export function initialVllmProgress(): VllmProgress {
  return {
    phase: 'starting',
    progress: 0,
    url: null,
    version: null,
    weightsGiB: null,
    kvTokens: null,
    maxModelLen: null,
    architecture: null,
  };
}

const ORDER: VllmPhase[] = ['starting', 'config', 'engine', 'weights', 'kv-cache', 'listening', 'ready'];
/** Where each phase starts on the 0..1 bar (weights take most of the time: 0.2..0.8). */
const START: Record<VllmPhase, number> = {
  starting: 0,
  config: 0.05,
  engine: 0.1,
  weights: 0.2,
  'kv-cache': 0.8,
  listening: 0.95,
  ready: 1,
};

const num = (s: string) => Number(s.replace(/,/g, ''));

/** Applies one line; returns the same object when nothing changed (so callers can skip a status event). */
export function applyVllmLine(p: VllmProgress, raw: string): VllmProgress {
  const { msg } = splitVllmLine(raw);
  let m: RegExpExecArray | null;
  const next = (phase: VllmPhase, progress = START[phase], extra: Partial<VllmProgress> = {}): VllmProgress => {
    const ph = ORDER.indexOf(phase) > ORDER.indexOf(p.phase) ? phase : p.phase;
    const pr = Math.max(p.progress, Math.min(1, progress));
    const changed =
      ph !== p.phase || pr !== p.progress || Object.entries(extra).some(([k, v]) => p[k as keyof VllmProgress] !== v);
    return changed ? { ...p, ...extra, phase: ph, progress: pr } : p;
  };
  // 0.10–0.11: "vLLM API server version X"; 0.12+: the ASCII-art banner's "… version X" line.
  if ((m = /^vLLM API server version (\S+)/.exec(msg)) || (m = /█.*\bversion (\d[\w.+]*)\s*$/.exec(msg)))
    return next('starting', 0.01, { version: m[1]! });
  if ((m = /^Resolved architecture: (\w+)/.exec(msg))) return next('config', START.config, { architecture: m[1]! });
  if ((m = /^Using max model len (\d+)/.exec(msg))) return next('config', START.config, { maxModelLen: Number(m[1]) });
  if (/^Initializing a V1 LLM engine|^Waiting for init message from front-end/.test(msg)) return next('engine');
  if (/^Starting to load model /.test(msg)) return next('weights');
  if ((m = /^Loading safetensors checkpoint shards:\s+\d+% Completed \| (\d+)\/(\d+)/.exec(msg))) {
    const done = Number(m[1]);
    const total = Math.max(1, Number(m[2]));
    return next('weights', START.weights + (START['kv-cache'] - START.weights) * Math.min(1, done / total));
  }
  if (/^Loading weights took /.test(msg)) return next('weights', START['kv-cache'] - 0.02);
  if ((m = /^Model loading took ([\d.]+) ?GiB/.exec(msg)))
    return next('kv-cache', START['kv-cache'], { weightsGiB: Number(m[1]) });
  if (/^Available KV cache memory: /.test(msg)) return next('kv-cache', 0.85);
  if ((m = /^GPU KV cache size: ([\d,]+) tokens/.exec(msg))) return next('kv-cache', 0.87, { kvTokens: num(m[1]!) });
  if ((m = /^Capturing CUDA graphs.*?(\d+)%/.exec(msg))) return next('kv-cache', 0.87 + 0.06 * (Number(m[1]) / 100));
  if (/^init engine \(profile, create kv cache, warmup model\) took /.test(msg)) return next('kv-cache', 0.94);
  if ((m = /^Starting vLLM (?:API )?server (?:\d+ )?on (\S+)/.exec(msg)))
    return next('listening', START.listening, { url: m[1]! });
  if ((m = /^Uvicorn running on (\S+)/.exec(msg))) return next('listening', START.listening, { url: m[1]! });
  if (/^Available routes are:|^Started server process|^Waiting for application startup/.test(msg))
    return next('listening');
  if (/^Application startup complete/.test(msg)) return next('ready');
  return p;
}

/** Folds a whole log (tests, a restart reading the tail). */
export function vllmProgressOf(lines: readonly string[]): VllmProgress {
  return lines.reduce(applyVllmLine, initialVllmProgress());
}
