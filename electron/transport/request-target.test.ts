/** Path escapes as a table: each row is a path a client can send; the answer is its decoding or BAD_REQUEST. */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../shared/errors';
import { codeOfCall } from '../test/error-codes';
import { decodePath } from './request-target';

describe('decodePath', () => {
  it.each<{ s: string; want: string | ErrorCode }>([
    { s: 'app.info', want: 'app.info' },
    { s: 'a%20b', want: 'a b' },
    { s: '%E4%B8%AD', want: '中' },
    { s: '%ZZ', want: 'BAD_REQUEST' },
    { s: '%', want: 'BAD_REQUEST' },
    { s: 'a%2', want: 'BAD_REQUEST' },
    // Percent-escapes of bytes that are not UTF-8.
    { s: '%C3%28', want: 'BAD_REQUEST' },
    { s: '%FF', want: 'BAD_REQUEST' },
  ])('$s', ({ s, want }) => {
    if (want === 'BAD_REQUEST') expect(codeOfCall(() => decodePath(s))).toBe(want);
    else expect(decodePath(s)).toBe(want);
  });
});
