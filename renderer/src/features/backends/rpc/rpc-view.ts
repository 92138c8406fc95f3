/**
 * The pure part of the RPC section (rpc-view.test.ts): reading "host" and "port" fields (a pasted "host:port" or
 * "[v6]:port" included), a worker's state from its last check, what the next model start will use, the worker
 * mode's device list and listening choices.
 */
import type { RpcCheck, RpcWorker, RpcWorkerMode } from '@shared/backends';

const HOST = /^[A-Za-z0-9.:%-]{1,253}$/;
const DEVICE = /^[A-Za-z0-9_-]{1,40}$/;

export type AddressResult = { ok: true; host: string; port: number } | { ok: false; problem: 'host' | 'port' };

const portOf = (s: string): number | null => {
  const t = s.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
};

/**
 * The host field may hold "host", "host:port", "[v6]" or "[v6]:port" (a port there wins over the port field); a bare
 * IPv6 address (two colons or more) is a host. Brackets are dropped: the core takes the host as it connects to it.
 */
export function parseWorkerAddress(hostText: string, portText: string): AddressResult {
  let host = hostText.trim();
  let port = portText;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
  } else if ((host.match(/:/g) ?? []).length === 1) {
    const i = host.indexOf(':');
    port = host.slice(i + 1);
    host = host.slice(0, i);
  }
  if (!HOST.test(host)) return { ok: false, problem: 'host' };
  const p = portOf(port);
  return p === null ? { ok: false, problem: 'port' } : { ok: true, host, port: p };
}

export type WorkerState = 'ok' | 'unreachable' | 'incompatible' | 'unchecked';

export function workerState(check: RpcCheck | null): WorkerState {
  if (!check) return 'unchecked';
  if (check.ok) return 'ok';
  return check.protocol !== null && !check.compatible ? 'incompatible' : 'unreachable';
}

/** The workers the next start passes to llama-server (--rpc): enabled and last checked fine. */
export function usableWorkers(workers: readonly RpcWorker[]): { count: number; freeBytes: number; totalBytes: number } {
  const used = workers.filter((w) => w.enabled && w.lastCheck?.ok);
  let freeBytes = 0;
  let totalBytes = 0;
  for (const w of used)
    for (const d of w.lastCheck!.devices) {
      freeBytes += Math.max(0, d.freeBytes);
      totalBytes += Math.max(0, d.totalBytes);
    }
  return { count: used.length, freeBytes, totalBytes };
}

/** "CUDA0, Vulkan0" → ["CUDA0", "Vulkan0"]; the first token that is not a ggml device name is the problem. */
export function parseDevices(text: string): { ok: true; devices: string[] } | { ok: false; bad: string } {
  const tokens = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = tokens.find((s) => !DEVICE.test(s));
  if (bad !== undefined) return { ok: false, bad };
  return { ok: true, devices: [...new Set(tokens)].slice(0, 16) };
}

export const devicesText = (devices: readonly string[]) => devices.join(', ');

export const LOOPBACK = '127.0.0.1';
export const ALL = '0.0.0.0';

/** Loopback only: nothing outside this machine can connect. Anything else is on a network. */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}

export interface HostChoice {
  host: string;
  kind: 'local' | 'all' | 'iface';
  iface: string | null;
}

/** Where the worker may listen: this machine only, every network, each IPv4 address of this machine, and the saved one. */
export function hostChoices(
  saved: string,
  interfaces: readonly { address: string; interface: string; family?: string }[],
): HostChoice[] {
  const out: HostChoice[] = [
    { host: LOOPBACK, kind: 'local', iface: null },
    { host: ALL, kind: 'all', iface: null },
  ];
  for (const a of interfaces)
    if (a.family !== 'IPv6' && !out.some((c) => c.host === a.address) && !isLoopback(a.address))
      out.push({ host: a.address, kind: 'iface', iface: a.interface });
  if (saved && !out.some((c) => c.host === saved))
    out.push({ host: saved, kind: isLoopback(saved) ? 'local' : 'iface', iface: null });
  return out;
}

/** Running or starting on a network address: the stronger warning. */
export const exposedNow = (mode: RpcWorkerMode | undefined) =>
  !!mode && mode.exposed && (mode.state === 'running' || mode.state === 'starting');
