/**
 * What the status and headers of a reply to one Range request mean, before its body is read: read on (up to which
 * byte), try again (a Failure for the retry policy), or this endpoint cannot serve the file at all (404, auth, another
 * size, no Range support), which moves the download to the next endpoint. Pure; table-tested in range-response.test.ts.
 */
import { AppError } from '../../shared/errors';
import { parseContentRange, parseRetryAfter } from './http-headers';
import { hubStatusError } from './hubs';
import type { Failure } from './retry';

export interface RangeRequest {
  /** First byte asked for. */
  from: number;
  /** Last byte asked for (inclusive). */
  to: number;
  /** The file's size per the hub's listing. */
  size: number;
  /** The file's path in the repo, the endpoint's URL and the repo, for messages. */
  label: string;
  endpoint: string;
  repo: string;
}

export type RangeVerdict =
  /** Read the body; bytes past `limit` (inclusive) are not ours to write. */
  | { kind: 'read'; limit: number }
  /** This endpoint cannot serve this file. */
  | { kind: 'unusable'; error: AppError }
  | Failure;

/** `now` is the clock an HTTP-date Retry-After is read against. */
export function classifyRangeResponse(
  status: number,
  headers: Headers,
  req: RangeRequest,
  now: number = Date.now(),
): RangeVerdict {
  const sizeMismatch = (actual: number | string): RangeVerdict => ({
    kind: 'unusable',
    error: new AppError('DOWNLOAD_SIZE_MISMATCH', { file: req.label, expected: req.size, actual }),
  });
  if (status === 206) {
    const cr = parseContentRange(headers.get('content-range'));
    // Bytes from elsewhere in the file would be written at the wrong place: ask again.
    if (!cr || cr.start !== req.from)
      return { kind: 'error', reason: `unexpected Content-Range ${headers.get('content-range')}` };
    if (cr.total !== null && cr.total !== req.size) return sizeMismatch(cr.total);
    return { kind: 'read', limit: Math.min(cr.end, req.to) };
  }
  if (status === 200) {
    const cl = headers.get('content-length');
    if (cl !== null && Number(cl) !== req.size) return sizeMismatch(Number(cl));
    // A server that ignores Range can still serve the first segment.
    if (req.from !== 0)
      return {
        kind: 'unusable',
        error: new AppError('DOWNLOAD_FAILED', {
          file: req.label,
          reason: `${req.endpoint} does not support HTTP Range`,
        }),
      };
    return { kind: 'read', limit: req.to };
  }
  if (status === 429 || (status === 503 && headers.has('retry-after')))
    return { kind: 'rate-limited', waitMs: parseRetryAfter(headers.get('retry-after'), now) };
  // The file is shorter here than the listing says.
  if (status === 416) return sizeMismatch(headers.get('content-range') ?? '?');
  const error = hubStatusError(status, headers, { endpoint: req.endpoint, repo: req.repo, file: req.label });
  return error ? { kind: 'unusable', error } : { kind: 'error', reason: `HTTP ${status}` };
}
