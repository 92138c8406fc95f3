/**
 * Pure request guards for the HTTP API: token and named keys, Host (DNS rebinding) and Origin (cross-site) checks,
 * for the loopback listener and for LAN mode (HTTPS, its own host names, a CORS allow-list).
 */
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
  /** The scheme of our own origin (default http; LAN mode is https). */
  scheme?: 'http' | 'https';
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
  if (!isOwnOrigin(origin, cfg)) throw new AppError('FORBIDDEN_ORIGIN', { origin: origin.slice(0, 200) });
}

/** Whether `origin` is a page served by this listener itself. */
export function isOwnOrigin(origin: string, cfg: GuardConfig): boolean {
  const scheme = cfg.scheme ?? 'http';
  return cfg.hosts.map((h) => `${scheme}://${h}:${cfg.port}`).includes(origin.toLowerCase());
}

/**
 * Whether `origin` matches one of `patterns`: an exact origin (`https://app.example.com`, case-insensitive, a
 * trailing slash ignored), `*` for any, or `*` standing for one or more host labels (`https://*.example.com`).
 * `null` (sandboxed frames, file: pages) matches only a pattern that says `null`.
 */
export function originMatches(origin: string, patterns: readonly string[]): boolean {
  const o = origin.trim().toLowerCase();
  if (o.length > 300) return false;
  for (const raw of patterns) {
    const p = raw.trim().toLowerCase().replace(/\/+$/, '');
    if (p === o) return true;
    // A wildcard stands for part of a real origin, never for "null".
    if (!p.includes('*') || !o.includes('://')) continue;
    if (p === '*') return true;
    const re = new RegExp(
      '^' +
        p
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[a-z0-9-]+(?:\\.[a-z0-9-]+)*') +
        '$',
    );
    if (re.test(o)) return true;
  }
  return false;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The credentials a request carries: Bearer, X-Api-Key, or (WebSocket) the deeplocal.token.* subprotocol. */
export function credentialsOf(headers: IncomingHttpHeaders): string[] {
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
  return candidates;
}

/** The session token (the UI's, and the contract's): Bearer, X-Api-Key or the WebSocket subprotocol. */
export function checkToken(headers: IncomingHttpHeaders, token: string): void {
  if (!credentialsOf(headers).some((c) => same(c, token))) throw new AppError('UNAUTHORIZED');
}

/**
 * The API for other programs (/v1, /metrics): the session token where this listener accepts it (loopback; null on
 * the LAN listener), or a named API key (`verifyKey`, constant-time; it also marks the key used).
 */
export function checkApiCredential(
  headers: IncomingHttpHeaders,
  token: string | null,
  verifyKey: ((key: string) => boolean) | null,
): void {
  const candidates = credentialsOf(headers);
  if (token !== null && candidates.some((c) => same(c, token))) return;
  if (verifyKey && candidates.some((c) => verifyKey(c))) return;
  throw new AppError('UNAUTHORIZED');
}
