/** The header parsers a flaky hub leans on: Retry-After, Link paging, Content-Range, hash ETags. */
import { describe, expect, it } from 'vitest';
import { parseContentRange, parseLinkHeader, parseRetryAfter, sha256FromEtag } from './http-headers';

const NOW = Date.parse('2025-01-21T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each<[string | null | undefined, number | null]>([
    ['120', 120_000],
    ['0', 0],
    [' 7 ', 7000],
    // HTTP dates: relative to now, never negative.
    ['Tue, 21 Jan 2025 12:00:30 GMT', 30_000],
    ['Tue, 21 Jan 2025 11:59:00 GMT', 0],
    // Not valid delta-seconds, and not dates either.
    ['-5', null],
    ['1.5', null],
    ['soon', null],
    ['', null],
    [null, null],
    [undefined, null],
    ['99999999999999999999', null],
  ])('%j → %j', (v, want) => {
    expect(parseRetryAfter(v, NOW)).toBe(want);
  });
});

describe('parseLinkHeader', () => {
  const base = 'https://huggingface.co/api/models/a/b/tree/main?recursive=true';
  it.each<[string | null, Record<string, string>]>([
    [
      '<https://huggingface.co/api/models/a/b/tree/main?recursive=true&cursor=abc>; rel="next"',
      { next: 'https://huggingface.co/api/models/a/b/tree/main?recursive=true&cursor=abc' },
    ],
    // Relative targets resolve against the request URL.
    [
      '</api/models/a/b/tree/main?cursor=2>; rel=next',
      { next: 'https://huggingface.co/api/models/a/b/tree/main?cursor=2' },
    ],
    // Several links, several rels in one, other params, commas inside the URL.
    [
      '<https://x/1?a=1,2>; rel="prev first", <https://x/3>; title="t"; rel="next"',
      { prev: 'https://x/1?a=1,2', first: 'https://x/1?a=1,2', next: 'https://x/3' },
    ],
    ['garbage', {}],
    ['<https://x/1>', {}],
    [null, {}],
  ])('%j', (h, want) => {
    expect(parseLinkHeader(h, base)).toEqual(want);
  });
});

describe('parseContentRange', () => {
  it.each([
    ['bytes 0-99/1000', { start: 0, end: 99, total: 1000 }],
    ['bytes 500-999/*', { start: 500, end: 999, total: null }],
    ['BYTES 1-1/2', { start: 1, end: 1, total: 2 }],
    ['bytes 100-99/1000', null],
    ['bytes 0-1000/1000', null],
    ['bytes */1000', null],
    ['items 0-1/2', null],
    [null, null],
  ])('%j', (v, want) => {
    expect(parseContentRange(v)).toEqual(want);
  });
});

describe('sha256FromEtag', () => {
  const sha = 'a'.repeat(64);
  it.each([
    [`"${sha}"`, sha],
    [`W/"${sha.toUpperCase()}"`, sha],
    [sha, sha],
    // A CDN's md5-like ETag or a git blob sha1 is not a sha256.
    ['"d41d8cd98f00b204e9800998ecf8427e"', null],
    ['"da39a3ee5e6b4b0d3255bfef95601890afd80709"', null],
    [`"${sha}-2"`, null],
    [null, null],
  ])('%j → %j', (v, want) => {
    expect(sha256FromEtag(v)).toBe(want);
  });
});
