/**
 * What runs now, for the status bar's kind badge and the Backends page's "Running now" line. Pure (kind-view.test.ts).
 * The badge names the kind only where it is not the built-in llama.cpp: "vLLM", the external server's name, or for
 * llama.cpp the number of RPC workers the run uses ("+2 RPC"); nothing otherwise.
 */
import type { BackendStatus } from '@shared/schemas';

/** A status whose kind and target describe a run (starting, loading, ready, stopping). */
const runs = (s: BackendStatus | undefined): s is BackendStatus =>
  !!s && s.state !== 'stopped' && s.state !== 'crashed';

export type KindBadge =
  { kind: 'vllm' } | { kind: 'external'; name: string; url: string } | { kind: 'rpc'; workers: string[] };

export function kindBadge(status: BackendStatus | undefined): KindBadge | null {
  if (!runs(status)) return null;
  const target = status.target;
  if (status.kind === 'vllm') return { kind: 'vllm' };
  if (status.kind === 'external') {
    if (target?.kind !== 'external') return null;
    return { kind: 'external', name: target.serverName || target.url, url: target.url };
  }
  if (target?.kind === 'llama-cpp' && target.rpcWorkers.length > 0) return { kind: 'rpc', workers: target.rpcWorkers };
  return null;
}

export type RunningNow =
  | { kind: 'none' }
  | { kind: 'llama-cpp'; state: BackendStatus['state']; model: string; rpcWorkers: string[] }
  | { kind: 'vllm'; state: BackendStatus['state']; model: string }
  | { kind: 'external'; state: BackendStatus['state']; server: string; url: string; model: string };

/** The Backends page's line: which kind runs, with what (the model, the server, the workers). */
export function runningNow(status: BackendStatus | undefined): RunningNow {
  if (!runs(status)) return { kind: 'none' };
  const t = status.target;
  const modelName = status.model?.name ?? '';
  if (status.kind === 'external' && t?.kind === 'external')
    return {
      kind: 'external',
      state: status.state,
      server: t.serverName || t.url,
      url: t.url,
      model: shortModelId(t.model),
    };
  if (status.kind === 'vllm')
    return { kind: 'vllm', state: status.state, model: t?.kind === 'vllm' ? t.servedName || modelName : modelName };
  if (status.kind === 'external')
    return { kind: 'external', state: status.state, server: '', url: '', model: modelName };
  return {
    kind: 'llama-cpp',
    state: status.state,
    model: modelName,
    rpcWorkers: t?.kind === 'llama-cpp' ? t.rpcWorkers : [],
  };
}

/**
 * A model id for display: llama-server (and so a remote llama.cpp or DeepLocal) names its model by the file's
 * absolute path; its file name says the same in a tenth of the width. Hub ids ("org/name") stay as they are.
 */
export function shortModelId(id: string): string {
  if (!/^(\/|[A-Za-z]:[\\/])/.test(id)) return id;
  const base = id.split(/[\\/]/).pop();
  return base || id;
}

/** The model a run serves, for the status bar: the model file's name, or the served/remote model name. */
export function runModel(status: BackendStatus | undefined): string | null {
  if (!runs(status)) return null;
  const t = status.target;
  const name = status.model?.name || (t?.kind === 'external' ? t.model : t?.kind === 'vllm' ? t.servedName : '') || '';
  return name ? shortModelId(name) : null;
}
