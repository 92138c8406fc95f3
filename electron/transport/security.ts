/** Pure request guards for the loopback HTTP API: token, Host (DNS rebinding) and Origin (cross-site) checks. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '../shared/errors';
import { tokenProtocol } from '../shared/ws-client';

export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface GuardConfig {
  port: number;
  /** Host names (without port) accepted in Host and Origin. */
  hosts: string[];
}

function hostnameOf(hostHeader: string): { name: string; port: string | null } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  return m ? { name: m[1]!, port: m[2] ?? null } : { name: '', port: null };
}

export function checkHost(headers: IncomingHttpHeaders, cfg: GuardConfig): void {
  const host = headers.host;
  if (!host) throw new AppError('FORBIDDEN_HOST', { host: '(none)' });
  const { name, port } = hostnameOf(host);
  if (!cfg.hosts.includes(name) || port !== String(cfg.port))
    throw new AppError('FORBIDDEN_HOST', { host: host.slice(0, 200) });
}

/**
 * RFC 9110 §7.2: a request with more than one Host is answered with 400. Node keeps the first and drops the rest,
 * but which one a client or a proxy in between meant is ambiguous, so none is trusted.
 */
export function checkSingleHost(rawHeaders: readonly string[]): void {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') count++;
  if (count > 1) throw new AppError('BAD_REQUEST', { reason: `${count} Host headers` });
}

/** A request without Origin (curl, other programs) is fine; a browser page from anywhere else is not. */
export function checkOrigin(headers: IncomingHttpHeaders, cfg: GuardConfig): void {
  const origin = headers.origin;
  if (origin === undefined) return;
  const allowed = cfg.hosts.map((h) => `http://${h}:${cfg.port}`);
  if (!allowed.includes(origin.toLowerCase())) throw new AppError('FORBIDDEN_ORIGIN', { origin: origin.slice(0, 200) });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Bearer token, X-Api-Key, or (WebSocket) the deeplocal.token.* subprotocol. */
export function checkToken(headers: IncomingHttpHeaders, token: string): void {
  const auth = headers.authorization;
  const candidates: string[] = [];
  if (auth?.toLowerCase().startsWith('bearer ')) candidates.push(auth.slice(7).trim());
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') candidates.push(apiKey.trim());
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    const prefix = tokenProtocol('');
    for (const p of protocols.split(','))
      if (p.trim().startsWith(prefix)) candidates.push(p.trim().slice(prefix.length));
  }
  if (!candidates.some((c) => same(c, token))) throw new AppError('UNAUTHORIZED');
}
