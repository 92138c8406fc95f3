/**
 * Pure parsing of what the request line carries. Everything here reads bytes an attacker chose, so nothing throws
 * anything but an AppError('BAD_REQUEST'), which the transports answer with 400.
 */
import { AppError } from '../shared/errors';

const excerpt = (s: string) => JSON.stringify(s.slice(0, 100));

/** decodeURIComponent that answers a bad escape (`%ZZ`, a lone `%`, invalid UTF-8 like `%C3%28`) with 400. */
export function decodePath(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AppError('BAD_REQUEST', { reason: `bad %-escape in ${excerpt(s)}` });
  }
}
