/**
 * Pure address planning for LAN mode, from the chosen addresses (settings.api.lanAddresses) and the machine's
 * interfaces (os.networkInterfaces()): where to listen, which Host names to accept (the DNS-rebinding check), the
 * URLs to show, and the names the certificate carries. Testable without a network.
 */
import net from 'node:net';
import type os from 'node:os';

export type Interfaces = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

export interface LanPlan {
  /** Addresses to listen on (one server each). */
  binds: string[];
  /** Chosen entries that are not IP addresses (reported, not listened on). */
  invalid: string[];
  /** Host names accepted in Host / Origin, lower case, IPv6 bracketed. */
  hosts: string[];
  /** Where clients reach it (without the port): https://ADDR:PORT is made from these. */
  urlHosts: string[];
}

const WILD4 = '0.0.0.0';
const WILD6 = '::';
const bracket = (a: string) => (a.includes(':') ? `[${a}]` : a);
const linkLocal = (a: string) => /^fe80:/i.test(a);

function addressesOf(ifaces: Interfaces): os.NetworkInterfaceInfo[] {
  return Object.values(ifaces).flatMap((l) => l ?? []);
}

/**
 * Listen addresses: valid IPs, without duplicates; a wildcard of a family covers that family's addresses (binding
 * both 0.0.0.0 and 192.168.1.5 on one port fails with EADDRINUSE), and `::` (dual-stack) covers everything.
 */
export function planBinds(chosen: readonly string[]): { binds: string[]; invalid: string[] } {
  const invalid: string[] = [];
  const ips: string[] = [];
  for (const raw of chosen) {
    const a = raw
      .trim()
      .replace(/^\[|\]$/g, '')
      .toLowerCase();
    if (net.isIP(a) === 0) invalid.push(raw);
    else if (!ips.includes(a)) ips.push(a);
  }
  if (ips.includes(WILD6)) return { binds: [WILD6], invalid };
  const wild4 = ips.includes(WILD4);
  return { binds: ips.filter((a) => !(wild4 && net.isIPv4(a) && a !== WILD4)), invalid };
}

export function planLan(chosen: readonly string[], ifaces: Interfaces, hostname: string): LanPlan {
  const { binds, invalid } = planBinds(chosen);
  const all = addressesOf(ifaces);
  const covered = (bind: string) =>
    bind === WILD6
      ? all
      : bind === WILD4
        ? all.filter((i) => i.family === 'IPv4')
        : [{ address: bind, family: net.isIPv6(bind) ? 'IPv6' : 'IPv4', internal: false } as os.NetworkInterfaceInfo];
  const reached = binds.flatMap(covered);
  const name = hostname.trim().toLowerCase();
  const names = name ? [name, ...(name.endsWith('.local') ? [] : [`${name}.local`])] : [];
  const hosts = [...new Set([...names, 'localhost', ...reached.map((i) => bracket(i.address.toLowerCase()))])];
  const shown = reached.filter((i) => !i.internal && !linkLocal(i.address));
  const urlHosts = [...new Set(shown.map((i) => bracket(i.address.toLowerCase())))];
  return { binds, invalid, hosts, urlHosts };
}

/** The certificate's names: the machine's, and every address it may be reached at (interfaces and chosen ones). */
export function certificateSubject(
  chosen: readonly string[],
  ifaces: Interfaces,
  hostname: string,
): { hostname: string; names: string[]; ips: string[] } {
  const name = hostname.trim().toLowerCase();
  const names = [name, `${name}.local`, 'localhost'].filter((n) => n && n !== '.local');
  const ips = [
    ...addressesOf(ifaces)
      .filter((i) => !linkLocal(i.address))
      .map((i) => i.address),
    ...planBinds(chosen).binds,
    '127.0.0.1',
    '::1',
  ];
  return { hostname: name, names, ips };
}

export const lanUrl = (urlHost: string, port: number) => `https://${urlHost}:${port}`;
