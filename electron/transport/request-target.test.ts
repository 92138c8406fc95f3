/**
 * Request targets and path escapes as tables. Each row is a request line a client (or a hostile web page through
 * the user's browser) can send; the answer is a parsed target or BAD_REQUEST, never another exception.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../shared/errors';
import { codeOfCall } from '../test/error-codes';
import { decodePath, parseRequestTarget, type RequestTarget } from './request-target';

describe('parseRequestTarget', () => {
  it.each<{ target: string | undefined; method?: string; want: RequestTarget | ErrorCode }>([
    { target: '/', want: { pathname: '/', search: '', authority: null } },
    { target: '/api/rpc/app.info?x=1', want: { pathname: '/api/rpc/app.info', search: '?x=1', authority: null } },
    // The crash of issue 9: resolved against a base, this is a scheme-relative URL with port 99999 and threw.
    { target: '//x:99999/', want: { pathname: '//x:99999/', search: '', authority: null } },
    { target: '//evil.example/v1/models', want: { pathname: '//evil.example/v1/models', search: '', authority: null } },
    { target: '///', want: { pathname: '///', search: '', authority: null } },
    // Dot segments are resolved the way every browser resolves them (static files are contained separately).
    { target: '/api/rpc/../../v1/models', want: { pathname: '/v1/models', search: '', authority: null } },
    { target: '/a%ZZ', want: { pathname: '/a%ZZ', search: '', authority: null } },
    { target: undefined, want: 'BAD_REQUEST' },
    { target: '', want: 'BAD_REQUEST' },
    // Absolute-form (RFC 9112 §3.2.2): accepted, and its authority is checked like a Host header.
    {
      target: 'http://127.0.0.1:8080/v1/models',
      want: { pathname: '/v1/models', search: '', authority: '127.0.0.1:8080' },
    },
    { target: 'http://[::1]:8080/', want: { pathname: '/', search: '', authority: '[::1]:8080' } },
    { target: 'http://x:99999/', want: 'BAD_REQUEST' },
    { target: 'http://[::1/', want: 'BAD_REQUEST' },
    { target: 'http://%zz/', want: 'BAD_REQUEST' },
    { target: 'https://127.0.0.1:8080/', want: 'BAD_REQUEST' },
    { target: 'file:///etc/passwd', want: 'BAD_REQUEST' },
    { target: 'javascript:alert(1)', want: 'BAD_REQUEST' },
    { target: 'http://user:pw@127.0.0.1:8080/', want: 'BAD_REQUEST' },
    // Authority-form belongs to CONNECT, which this server is not.
    { target: '127.0.0.1:8080', want: 'BAD_REQUEST' },
    { target: 'relative/path', want: 'BAD_REQUEST' },
    { target: '*', method: 'OPTIONS', want: { pathname: '*', search: '', authority: null } },
    { target: '*', method: 'GET', want: 'BAD_REQUEST' },
  ])('$target ($method)', ({ target, method, want }) => {
    if (typeof want === 'string') expect(codeOfCall(() => parseRequestTarget(target, method ?? 'GET'))).toBe(want);
    else expect(parseRequestTarget(target, method ?? 'GET')).toEqual(want);
  });

  it('never throws anything but an AppError on long or odd targets', () => {
    for (const t of [
      '/' + 'a'.repeat(100_000),
      '/\u0000',
      '/\\..\\..\\',
      'http://' + 'a'.repeat(300) + ':1/',
      '/%',
      '/\u{1F600}',
      'h:',
    ])
      expect(['ok', 'BAD_REQUEST']).toContain(codeOfCall(() => parseRequestTarget(t, 'GET')));
  });
});

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
