/**
 * Pure: the address of an external server as the user typed it → the base URL we keep (without /v1), or
 * REMOTE_BAD_URL saying what is wrong. Only http and https; no user:password in the URL (the key has its own
 * field, and a URL is shown and logged); no query or fragment; a trailing /v1 (what OpenAI clients are given) and
 * trailing slashes are stripped; any other path is refused (every client of an endpoint appends /v1/… to its origin,
 * so a server behind a reverse-proxy prefix is not reachable that way). Table-tested in url.test.ts.
 */
import { AppError } from '../../shared/errors';

export const MAX_URL_LENGTH = 2000;

const bad = (url: string, reason: string) => new AppError('REMOTE_BAD_URL', { url: url.slice(0, 200), reason });

/** The base URL (`http(s)://host[:port]`, no trailing slash, no /v1); throws REMOTE_BAD_URL. */
export function normalizeServerUrl(raw: string): string {
  const input = raw.trim();
  if (!input) throw bad(raw, 'it is empty');
  if (input.length > MAX_URL_LENGTH) throw bad(input, `it is longer than ${MAX_URL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(input)) throw bad(input, 'it contains spaces or control characters');
  // "localhost:11434" or "192.168.1.5:8000": no scheme typed; http is what such servers speak.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `http://${input}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw bad(input, 'it is not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(input, 'only http:// and https:// are supported');
  if (u.username || u.password) throw bad(input, 'it contains a user name or password; put the key in its own field');
  if (!u.hostname) throw bad(input, 'it has no host');
  if (u.search || u.hash) throw bad(input, 'it has a query or fragment');
  let p = u.pathname.replace(/\/+$/, '');
  if (/\/v1$/i.test(p)) p = p.slice(0, -3).replace(/\/+$/, '');
  if (p)
    throw bad(input, 'only the server address is used (http://host:port or …/v1), not a path like ' + p.slice(0, 50));
  return `${u.protocol}//${u.host}`;
}

/** The base URL's address for messages and logs (never holds a secret: normalizeServerUrl refuses credentials). */
export function urlLabel(base: string): string {
  return base.slice(0, 200);
}

/** A name for a server the user did not name: its host (and port). */
export function defaultServerName(base: string): string {
  try {
    return new URL(base).host.slice(0, 100) || 'server';
  } catch {
    return 'server';
  }
}
