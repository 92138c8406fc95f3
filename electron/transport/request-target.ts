/**
 * Pure parsing of the raw request line's target and path escapes. Everything here reads bytes an attacker chose
 * (a web page can make the user's browser send `<img src="http://127.0.0.1:PORT//x:99999/">`), so nothing throws
 * anything but an AppError('BAD_REQUEST'), which the transports answer with 400.
 */
import { AppError } from '../shared/errors';

export interface RequestTarget {
  /** Normalised path (dot segments resolved, as WHATWG URL does), escapes kept: decode per segment with decodePath. */
  pathname: string;
  /** `?…` or ''. */
  search: string;
  /** host[:port] of an absolute-form target (`GET http://127.0.0.1:PORT/ HTTP/1.1`): checked like a Host header. */
  authority: string | null;
}

const excerpt = (s: string) => JSON.stringify(s.slice(0, 100));

/**
 * RFC 9112 §3.2: origin-form (`/path?q`), absolute-form (`http://host/path`) and asterisk-form (`*`, OPTIONS only).
 * An origin-form target is never resolved against a base: `//x:99999/` is the path `//x:99999/` (an empty first
 * segment), not a scheme-relative URL whose port is out of range.
 */
export function parseRequestTarget(raw: string | undefined, method: string | undefined): RequestTarget {
  const target = raw ?? '';
  if (target === '*') {
    if (method !== 'OPTIONS')
      throw new AppError('BAD_REQUEST', { reason: `request target * with ${String(method).slice(0, 20)}` });
    return { pathname: '*', search: '', authority: null };
  }
  let url: URL;
  let authority: string | null = null;
  try {
    if (target.startsWith('/')) {
      // A fixed, valid authority before the path: the parser can only fail on the host, and this one is fine.
      url = new URL(`http://x${target}`);
    } else {
      url = new URL(target);
      if (url.protocol !== 'http:' || url.username || url.password) throw new Error('not an http URL');
      authority = url.host;
    }
  } catch {
    throw new AppError('BAD_REQUEST', { reason: `request target ${excerpt(target)}` });
  }
  return { pathname: url.pathname, search: url.search, authority };
}

/** decodeURIComponent that answers a bad escape (`%ZZ`, a lone `%`, invalid UTF-8 like `%C3%28`) with 400. */
export function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('BAD_REQUEST', { reason: `bad %-escape in ${excerpt(s)}` });
  }
}
