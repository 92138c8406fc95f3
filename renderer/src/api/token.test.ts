import { describe, expect, it } from 'vitest';
import { takeToken, TOKEN_KEY } from './token';

function env(href: string, stored: string | null = null) {
  const store = new Map<string, string>(stored === null ? [] : [[TOKEN_KEY, stored]]);
  const replaced: string[] = [];
  return {
    replaced,
    store,
    env: {
      href,
      storage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
      },
      replaceUrl: (u: string) => void replaced.push(u),
    },
  };
}

describe('takeToken', () => {
  it.each([
    // [why, href, stored, expected token, expected replaced url]
    ['first load: token from the URL, stored, URL cleaned', 'http://127.0.0.1:5/?token=abc', null, 'abc', '/'],
    ['reload: the URL has no token any more, sessionStorage has it', 'http://127.0.0.1:5/', 'abc', 'abc', null],
    [
      'a new token in the URL wins over the stored one (server restarted)',
      'http://127.0.0.1:5/?token=new',
      'old',
      'new',
      '/',
    ],
    ['other query parameters and the hash survive', 'http://127.0.0.1:5/x?a=1&token=t#h', null, 't', '/x?a=1#h'],
    ['an empty token is removed from the URL but not stored', 'http://127.0.0.1:5/?token=', 'kept', 'kept', '/'],
    ['no token anywhere', 'http://127.0.0.1:5/', null, null, null],
  ])('%s', (_why, href, stored, token, replaced) => {
    const e = env(href, stored);
    expect(takeToken(e.env)).toBe(token);
    expect(e.replaced[0] ?? null).toBe(replaced);
    if (token) expect(e.store.get(TOKEN_KEY)).toBe(token);
  });
});
