/**
 * Pure: Ray across machines for vLLM (issue 15 §3). vLLM's multi-node recipe (docs/serving/parallelism_scaling.md,
 * examples/online_serving/multi-node-serving.sh): a Ray head on one machine (`ray start --head --port 6379`), each
 * other machine joins it (`ray start --address HEAD:6379`), then `vllm serve` on the head with
 * `--distributed-executor-backend ray`, tensor parallel = GPUs per node and pipeline parallel = nodes. `--block`
 * keeps `ray start` in the foreground so it can be supervised (and stopped) like any process. The dashboard listens
 * on loopback only: it has no authentication.
 *
 * Network hints (not set here: they name the node's own interface): NCCL_SOCKET_IFNAME / GLOO_SOCKET_IFNAME pick the
 * interface NCCL and Gloo use; VLLM_HOST_IP the address vLLM advertises. The worker commands carry VLLM_HOST_IP when
 * the node was entered as an IP address.
 */
import path from 'node:path';

export const RAY_DEFAULT_PORT = 6379;

export interface RayNode {
  host: string;
  gpus: number;
}

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const isIp = (h: string) => IPV4.test(h) || (h.includes(':') && /^[0-9A-Fa-f:.[\]]+$/.test(h));
const bare = (h: string) => h.replace(/^\[|\]$/g, '');

/** host:port as `ray start --address` takes it ([v6]:port for IPv6). */
export function rayAddress(host: string, port = RAY_DEFAULT_PORT): string {
  const h = bare(host);
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/** `ray start --head …` after the ray executable (argv tail). */
export function rayHeadArgs(o: { gpus: number; port?: number }): string[] {
  return [
    'start',
    '--head',
    '--port',
    String(o.port ?? RAY_DEFAULT_PORT),
    '--dashboard-host',
    '127.0.0.1',
    '--num-gpus',
    String(o.gpus),
    '--block',
  ];
}

/** `ray start --address HEAD:PORT …` for one worker machine (argv tail). */
export function rayWorkerArgs(o: { head: string; gpus: number; port?: number }): string[] {
  return ['start', '--address', rayAddress(o.head, o.port), '--num-gpus', String(o.gpus), '--block'];
}

/**
 * What `vllm serve` needs on top of the single-machine flags (which already carry `--tensor-parallel-size` = GPUs
 * per node) when it runs across a Ray cluster.
 */
export function rayServeArgs(o: { nodes: number }): string[] {
  return ['--distributed-executor-backend', 'ray', '--pipeline-parallel-size', String(o.nodes)];
}

/** Tensor parallel within a node, pipeline parallel across nodes; every node gives the same number of GPUs. */
export function rayLayout(head: RayNode, workers: RayNode[]): { nodes: number; gpusPerNode: number } {
  const all = [head, ...workers];
  return { nodes: all.length, gpusPerNode: Math.max(1, Math.min(...all.map((n) => n.gpus))) };
}

/** A worker's whole command line: VLLM_HOST_IP through `env` when its host is an IP address. */
export function rayWorkerCommand(rayExe: string[], worker: RayNode, head: string, gpusPerNode: number, port?: number) {
  const env = isIp(worker.host) ? ['env', `VLLM_HOST_IP=${bare(worker.host)}`] : [];
  return [...env, ...rayExe, ...rayWorkerArgs({ head, gpus: gpusPerNode, ...(port ? { port } : {}) })];
}

/**
 * The `ray` CLI of the same Python environment as a vLLM install (argv prefix): the `ray` script beside its `vllm`
 * script, or `python -m ray.scripts.scripts` for an install run as `python -m …`; the WSL prefix is kept. null when
 * the install's command says neither.
 */
export function rayCommandFor(installCommand: readonly string[]): string[] | null {
  const cmd = [...installCommand];
  const mIdx = cmd.indexOf('-m');
  if (mIdx > 0 && /vllm/.test(cmd[mIdx + 1] ?? '')) return [...cmd.slice(0, mIdx), '-m', 'ray.scripts.scripts'];
  const last = cmd.at(-1);
  if (!last) return null;
  const posix = cmd[0] === 'wsl' || last.startsWith('/');
  const p = posix ? path.posix : path;
  if (p.basename(last).replace(/\.exe$/i, '') !== 'vllm') return null;
  const dir = p.dirname(last);
  const exe = last.toLowerCase().endsWith('.exe') ? 'ray.exe' : 'ray';
  return [...cmd.slice(0, -1), dir === '.' ? exe : p.join(dir, exe)];
}
