/**
 * The headless server prints `http://127.0.0.1:PORT/?token=…`. The token is taken from the URL once, kept in
 * sessionStorage (survives reloads of this tab, not the browser) and removed from the address bar so it does
 * not end up in history, bookmarks or screenshots. Pure: location, storage and history are passed in.
 */
export const TOKEN_KEY = 'deeplocal.token';

export interface TokenEnv {
  href: string;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Called with the cleaned URL when the token was in the address bar. */
  replaceUrl: (url: string) => void;
}

export function takeToken(env: TokenEnv): string | null {
  const url = new URL(env.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    env.replaceUrl(url.pathname + url.search + url.hash);
    if (fromUrl) {
      env.storage.setItem(TOKEN_KEY, fromUrl);
      return fromUrl;
    }
  }
  return env.storage.getItem(TOKEN_KEY);
}
