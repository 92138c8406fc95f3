/**
 * Pure: this machine as an RPC worker — ggml-rpc-server's argv (tools/rpc/rpc-server.cpp at de3ff81: -H host,
 * -p port, -d dev1,dev2, -t threads, -c = cache under $LLAMA_CACHE/rpc/), the addresses to enter on the main
 * machine, and what a failed worker said. Table-tested in worker-args.test.ts.
 */
import type { RpcWorkerModeSettings } from '../../shared/backends';

/** ggml-rpc-server binds with inet_addr: an IPv4 literal (0.0.0.0 = every interface), nothing else. */
export function isBindableHost(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return !!m && m.slice(1).every((p) => Number(p) <= 255 && String(Number(p)) === p);
}

export const isLoopback = (host: string) => /^127\./.test(host);

export function workerArgs(
  s: Pick<RpcWorkerModeSettings, 'host' | 'port' | 'devices' | 'threads' | 'cache'>,
): string[] {
  const args = ['-H', s.host, '-p', String(s.port)];
  if (s.devices.length > 0) args.push('-d', s.devices.join(','));
  if (s.threads > 0) args.push('-t', String(s.threads));
  if (s.cache) args.push('-c');
  return args;
}

/** os.networkInterfaces()'s shape, the part used here. */
export type Interfaces = Record<string, { address: string; family: string | number; internal: boolean }[] | undefined>;

/**
 * What to type on the main machine: host:port for every LAN IPv4 address when listening on all interfaces
 * (loopback last-resort when there is none), else the one address it listens on.
 */
export function workerAddresses(host: string, port: number, ifaces: Interfaces): string[] {
  if (host !== '0.0.0.0') return [`${host}:${port}`];
  const out: string[] = [];
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      const v4 = a.family === 'IPv4' || a.family === 4;
      if (v4 && !a.internal && !out.includes(`${a.address}:${port}`)) out.push(`${a.address}:${port}`);
    }
  }
  return out.length > 0 ? out : [`127.0.0.1:${port}`];
}

/** The reason a worker process failed, in words, from its output and exit. */
export function workerFailure(lines: readonly string[], exit: { code: number | null; signal: string | null }): string {
  const text = lines.join('\n');
  const m = /error: unknown device: (\S+)/.exec(text);
  if (m) return `it has no device named ${m[1]}`;
  if (/Failed to create server socket/.test(text))
    return 'it could not listen on that address and port (in use by another program, or the address is not on this machine)';
  if (/No devices found/.test(text)) return 'it found no device to offer';
  if (/Failed to create cache directory/.test(text)) return 'it could not create its cache folder';
  if (/error: unknown argument|Invalid parameters/.test(text))
    return 'it did not accept its arguments (an older ggml-rpc-server?)';
  const last = [...lines].reverse().find((l) => /error|failed|abort/i.test(l));
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return last ? `${how}: ${last.trim()}` : `it ended (${how})`;
}
