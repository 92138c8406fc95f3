/**
 * The UI's Content-Security-Policy, as served (http.ts's header) and as built (renderer/index.html's meta tag).
 * Every source must be one a browser accepts: Chromium drops a source outside the CSP grammar with a console
 * error on every load (issue 9: `ws://[::1]:*`, since host-sources have no IPv6 literals). The two must not drift.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HTML_CSP } from './http';

const metaCsp = (() => {
  const html = fs.readFileSync(path.resolve(__dirname, '..', '..', 'renderer', 'index.html'), 'utf8');
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  if (!m) throw new Error('renderer/index.html has no CSP meta tag');
  return m[1]!;
})();

/** CSP3 §2.3.1 source-expression: keyword, scheme-source, host-source (no IPv6 literal), nonce/hash. */
const KEYWORD = /^'(self|none|unsafe-inline|unsafe-eval|strict-dynamic|unsafe-hashes|report-sample|wasm-unsafe-eval)'$/;
const SCHEME_SOURCE = /^[a-z][a-z0-9+.-]*:$/i;
const HOST_SOURCE =
  /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\d+|\*))?(?:\/[^\s;,]*)?$/i;
const NONCE_OR_HASH = /^'(nonce|sha256|sha384|sha512)-[A-Za-z0-9+/_-]+={0,2}'$/;

function invalidSources(policy: string): string[] {
  const bad: string[] = [];
  for (const directive of policy
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)) {
    const [, ...sources] = directive.split(/\s+/);
    for (const s of sources)
      if (![KEYWORD, SCHEME_SOURCE, HOST_SOURCE, NONCE_OR_HASH].some((re) => re.test(s))) bad.push(s);
  }
  return bad;
}

const directives = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d] as const),
  );

describe('UI Content-Security-Policy', () => {
  it('the grammar check itself tells good sources from bad ones', () => {
    expect(
      invalidSources("connect-src 'self' ws://127.0.0.1:* ws://localhost:* data: https://a.example/x 'sha256-abc='"),
    ).toEqual([]);
    expect(invalidSources("connect-src ws://[::1]:* 'selfish' ws://127.0.0.1:x")).toEqual([
      'ws://[::1]:*',
      "'selfish'",
      'ws://127.0.0.1:x',
    ]);
  });

  it.each([
    ['the header (http.ts)', HTML_CSP],
    ['the meta tag (renderer/index.html)', metaCsp],
  ])('%s has only sources a browser accepts', (_name, policy) => {
    expect(invalidSources(policy)).toEqual([]);
  });

  it('the header is the meta policy plus frame-ancestors', () => {
    const header = directives(HTML_CSP);
    expect(header.get('frame-ancestors')).toBe("frame-ancestors 'none'");
    header.delete('frame-ancestors');
    expect(header).toEqual(directives(metaCsp));
  });

  it("the WebSocket stays allowed through 'self' (which also covers a page on http://[::1]:PORT)", () => {
    for (const policy of [HTML_CSP, metaCsp])
      expect(directives(policy).get('connect-src')).toMatch(/^connect-src 'self'/);
  });
});
