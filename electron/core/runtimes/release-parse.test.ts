import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import {
  DEFAULT_RELEASE_ENDPOINT,
  parseRelease,
  releaseEndpoint,
  releaseStatusError,
  releaseUrl,
} from './release-parse';

const HEX = 'ab'.repeat(32);
const ctx = { endpoint: 'http://mirror.test', repo: 'ggml-org/llama.cpp', tag: 'b1234' };
const asset = (over: Record<string, unknown> = {}) => ({
  name: 'llama-b1234-bin-ubuntu-x64.tar.gz',
  size: 1000,
  digest: `sha256:${HEX}`,
  browser_download_url:
    'https://github.com/ggml-org/llama.cpp/releases/download/b1234/llama-b1234-bin-ubuntu-x64.tar.gz',
  state: 'uploaded',
  ...over,
});
const release = (assets: unknown[], tag = 'b1234') => ({ tag_name: tag, name: tag, body: 'notes', assets });

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('did not throw');
}

describe('releaseEndpoint', () => {
  it.each<[string, string | null, Record<string, string>, string]>([
    ['GitHub when nothing is set', null, {}, DEFAULT_RELEASE_ENDPOINT],
    ['the environment variable', null, { DEEPLOCAL_RELEASE_ENDPOINT: 'http://127.0.0.1:9/' }, 'http://127.0.0.1:9'],
    [
      'the setting over the variable',
      'https://mirror.test/gh//',
      { DEEPLOCAL_RELEASE_ENDPOINT: 'http://x' },
      'https://mirror.test/gh',
    ],
    ['a blank setting falls through', '  ', { DEEPLOCAL_RELEASE_ENDPOINT: 'http://x' }, 'http://x'],
  ])('%s', (_n, setting, env, want) => expect(releaseEndpoint(setting, env)).toBe(want));

  it.each(['file:///etc', 'ftp://mirror.test', 'not a url', 'https://user:pw@mirror.test', 'https://m.test/?q=1'])(
    'names a value that is not a plain http(s) URL instead of skipping it: %s',
    (v) => {
      const e = errorOf(() => releaseEndpoint(v, {}));
      expect(e.code).toBe('RELEASE_UNREACHABLE');
      expect(e.params?.endpoint).toBe(v);
    },
  );
});

describe('releaseUrl', () => {
  it('asks for a tag or the latest release', () => {
    expect(releaseUrl('http://h', 'ggml-org/llama.cpp', 'b1')).toBe(
      'http://h/repos/ggml-org/llama.cpp/releases/tags/b1',
    );
    expect(releaseUrl('http://h', 'ggml-org/llama.cpp', 'latest')).toBe(
      'http://h/repos/ggml-org/llama.cpp/releases/latest',
    );
    expect(releaseUrl('http://h', 'o/r', 'a/b')).toBe('http://h/repos/o/r/releases/tags/a%2Fb');
  });
});

describe('parseRelease', () => {
  it('keeps a good asset, digest as lowercase hex', () => {
    const r = parseRelease(release([asset({ digest: `sha256:${HEX.toUpperCase()}` })]), ctx);
    expect(r.tag).toBe('b1234');
    expect(r.assets).toEqual([
      { name: 'llama-b1234-bin-ubuntu-x64.tar.gz', size: 1000, sha256: HEX, url: asset().browser_download_url },
    ]);
    expect(r.skipped).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no digest (releases before June 2025)', { digest: null }],
    ['digest field missing', { digest: undefined }],
    ['another algorithm', { digest: `sha512:${HEX}${HEX}` }],
    ['malformed sha256', { digest: 'sha256:zz' }],
  ])('an asset with %s is kept with sha256 null (install then needs a pinned hash)', (_n, over) => {
    expect(parseRelease(release([asset(over)]), ctx).assets[0]?.sha256).toBeNull();
  });

  it.each<[string, Record<string, unknown>]>([
    ['a slash in the name', { name: '../llama-server' }],
    ['a backslash in the name', { name: '..\\evil.zip' }],
    ['a control character in the name', { name: 'llama\u0007.zip' }],
    ['a NUL in the name', { name: 'llama.zip\u0000.txt' }],
    ['the name ".."', { name: '..' }],
    ['a file: URL', { browser_download_url: 'file:///etc/passwd' }],
    ['a javascript: URL', { browser_download_url: 'javascript:alert(1)' }],
    ['a URL that is not one', { browser_download_url: 'not a url' }],
    ['a negative size', { size: -1 }],
    ['a fractional size', { size: 1.5 }],
    ['an absurd size', { size: 1e15 }],
    ['an upload still open', { state: 'open' }],
    ['a wrong type', { size: '1000' }],
  ])('drops an asset with %s and says why', (_n, over) => {
    const r = parseRelease(release([asset(over), asset({ name: 'other.zip' })]), ctx);
    expect(r.assets.map((a) => a.name)).toEqual(['other.zip']);
    expect(r.skipped).toHaveLength(1);
  });

  it('drops every copy of a name listed twice (which one is meant cannot be known)', () => {
    const r = parseRelease(release([asset(), asset({ size: 5 }), asset({ name: 'b.zip' })]), ctx);
    expect(r.assets.map((a) => a.name)).toEqual(['b.zip']);
    expect(r.skipped).toEqual([{ name: asset().name, reason: 'listed 2 times' }]);
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'hello', 'not a GitHub release'],
    ['no tag', { assets: [] }, 'not a GitHub release'],
    ['assets not a list', { tag_name: 'b1234', assets: {} }, 'not a GitHub release'],
    ['a tag that cannot be a folder name', release([], '../b1234'), 'unusable release tag'],
    ['another release than asked for', release([], 'b9999'), 'asked for release b1234, got b9999'],
  ])('refuses an answer that is %s', (_n, json, reason) => {
    const e = errorOf(() => parseRelease(json, ctx));
    expect(e.code).toBe('RELEASE_UNREACHABLE');
    expect(String(e.params?.reason)).toContain(reason);
  });

  it('takes any tag when the latest release was asked for', () => {
    expect(parseRelease(release([], 'b9999'), { ...ctx, tag: 'latest' }).tag).toBe('b9999');
  });
});

describe('releaseStatusError', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it.each<[string, number, Record<string, string>, string]>([
    ['a missing release', 404, {}, 'release b1234 of ggml-org/llama.cpp was not found (HTTP 404)'],
    [
      'GitHub rate limit with reset',
      403,
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 600) },
      'rate limited (HTTP 403), try again in 10 min',
    ],
    ['a 429', 429, {}, 'rate limited (HTTP 429)'],
    ['a plain 403 (blocked)', 403, {}, 'HTTP 403'],
    ['a server error', 502, {}, 'HTTP 502'],
  ])('%s', (_n, status, headers, reason) => {
    const e = releaseStatusError(status, new Headers(headers), ctx, now);
    expect(e.code).toBe('RELEASE_UNREACHABLE');
    expect(e.params).toEqual({ endpoint: ctx.endpoint, reason });
  });
});
