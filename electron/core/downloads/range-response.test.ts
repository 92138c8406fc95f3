/** Replies to a Range request, from the well-behaved to the hostile, and what the downloader does with each. */
import { describe, expect, it } from 'vitest';
import { classifyRangeResponse, type RangeRequest, type RangeVerdict } from './range-response';

const NOW = Date.parse('2025-01-21T12:00:00Z');
const SIZE = 1000;
// The second segment of a 1000-byte file: bytes 250..499.
const req: RangeRequest = {
  from: 250,
  to: 499,
  size: SIZE,
  label: 'm-Q4_K_M.gguf',
  endpoint: 'https://hub.test',
  repo: 'a/b-GGUF',
};

type Want =
  | { kind: 'read'; limit: number }
  | { kind: 'unusable'; code: string; params?: Record<string, unknown> }
  | Exclude<RangeVerdict, { kind: 'read' } | { kind: 'unusable' }>;

const simplify = (v: RangeVerdict): Want =>
  v.kind === 'unusable' ? { kind: 'unusable', code: v.error.code, params: v.error.params } : v;

describe('classifyRangeResponse', () => {
  it.each<[string, number, Record<string, string>, Partial<RangeRequest>, Want]>([
    // The normal case: exactly the range asked for.
    ['206 with the range asked for', 206, { 'content-range': 'bytes 250-499/1000' }, {}, { kind: 'read', limit: 499 }],
    // Servers may send less than asked (CDNs cap ranges): read what came, the rest is asked for again.
    ['206 shorter than asked', 206, { 'content-range': 'bytes 250-300/1000' }, {}, { kind: 'read', limit: 300 }],
    // …or more: never write past our segment, another connection owns those bytes.
    ['206 longer than asked', 206, { 'content-range': 'bytes 250-999/1000' }, {}, { kind: 'read', limit: 499 }],
    // "*" total is allowed by RFC 9110; only a known total that disagrees condemns the source.
    ['206 with an unknown total', 206, { 'content-range': 'bytes 250-499/*' }, {}, { kind: 'read', limit: 499 }],
    // Bytes that start elsewhere would land at the wrong offset: try again, do not write them.
    [
      '206 starting elsewhere',
      206,
      { 'content-range': 'bytes 0-249/1000' },
      {},
      { kind: 'error', reason: 'unexpected Content-Range bytes 0-249/1000' },
    ],
    ['206 without Content-Range', 206, {}, {}, { kind: 'error', reason: 'unexpected Content-Range null' }],
    [
      '206 with a garbled Content-Range',
      206,
      { 'content-range': 'bytes 499-250/1000' },
      {},
      { kind: 'error', reason: 'unexpected Content-Range bytes 499-250/1000' },
    ],
    // A different file behind the same name (a changed upstream revision): this endpoint cannot give our bytes.
    [
      '206 of a file of another size',
      206,
      { 'content-range': 'bytes 250-499/2000' },
      {},
      {
        kind: 'unusable',
        code: 'DOWNLOAD_SIZE_MISMATCH',
        params: { file: 'm-Q4_K_M.gguf', expected: SIZE, actual: 2000 },
      },
    ],
    // A server that ignores Range sends the whole file: fine for the first segment…
    [
      '200 for the first segment',
      200,
      { 'content-length': '1000' },
      { from: 0, to: 249 },
      { kind: 'read', limit: 249 },
    ],
    ['200 without Content-Length for the first segment', 200, {}, { from: 0, to: 249 }, { kind: 'read', limit: 249 }],
    // …useless for any other (we would have to read and throw away everything before it).
    [
      '200 for a later segment',
      200,
      { 'content-length': '1000' },
      {},
      {
        kind: 'unusable',
        code: 'DOWNLOAD_FAILED',
        params: { file: 'm-Q4_K_M.gguf', reason: 'https://hub.test does not support HTTP Range' },
      },
    ],
    [
      '200 of another size',
      200,
      { 'content-length': '999' },
      { from: 0 },
      {
        kind: 'unusable',
        code: 'DOWNLOAD_SIZE_MISMATCH',
        params: { file: 'm-Q4_K_M.gguf', expected: SIZE, actual: 999 },
      },
    ],
    // Rate limits: wait as told (seconds or an HTTP date), and without a readable value let the policy choose.
    ['429 with Retry-After seconds', 429, { 'retry-after': '7' }, {}, { kind: 'rate-limited', waitMs: 7000 }],
    [
      '429 with an HTTP date',
      429,
      { 'retry-after': 'Tue, 21 Jan 2025 12:00:30 GMT' },
      {},
      { kind: 'rate-limited', waitMs: 30_000 },
    ],
    ['429 without Retry-After', 429, {}, {}, { kind: 'rate-limited', waitMs: null }],
    ['429 with a hostile Retry-After', 429, { 'retry-after': '-1' }, {}, { kind: 'rate-limited', waitMs: null }],
    // 503 + Retry-After is "come back later" (maintenance); a bare 503 is an ordinary server error.
    ['503 with Retry-After', 503, { 'retry-after': '2' }, {}, { kind: 'rate-limited', waitMs: 2000 }],
    ['503 without Retry-After', 503, {}, {}, { kind: 'error', reason: 'HTTP 503' }],
    ['500', 500, {}, {}, { kind: 'error', reason: 'HTTP 500' }],
    // A request timeout is the network's fault, not the file's.
    ['408', 408, {}, {}, { kind: 'error', reason: 'HTTP 408' }],
    // The file is shorter here than the listing says.
    [
      '416',
      416,
      { 'content-range': 'bytes */200' },
      {},
      {
        kind: 'unusable',
        code: 'DOWNLOAD_SIZE_MISMATCH',
        params: { file: 'm-Q4_K_M.gguf', expected: SIZE, actual: 'bytes */200' },
      },
    ],
    [
      '416 without Content-Range',
      416,
      {},
      {},
      {
        kind: 'unusable',
        code: 'DOWNLOAD_SIZE_MISMATCH',
        params: { file: 'm-Q4_K_M.gguf', expected: SIZE, actual: '?' },
      },
    ],
    // Gone or private here: retrying the same endpoint cannot help, another may have it.
    [
      '404',
      404,
      {},
      {},
      { kind: 'unusable', code: 'HUB_FILE_NOT_FOUND', params: { repo: 'a/b-GGUF', file: 'm-Q4_K_M.gguf' } },
    ],
    ['401', 401, {}, {}, { kind: 'unusable', code: 'HUB_AUTH_REQUIRED', params: { repo: 'a/b-GGUF' } }],
    ['403', 403, {}, {}, { kind: 'unusable', code: 'HUB_AUTH_REQUIRED', params: { repo: 'a/b-GGUF' } }],
    // Any other status (400, a teapot) is not something asking again would fix.
    [
      '418',
      418,
      {},
      {},
      { kind: 'unusable', code: 'HUB_UNREACHABLE', params: { endpoint: 'https://hub.test', reason: 'HTTP 418' } },
    ],
  ])('%s', (_name, status, headers, r, want) => {
    expect(simplify(classifyRangeResponse(status, new Headers(headers), { ...req, ...r }, NOW))).toEqual(want);
  });
});
