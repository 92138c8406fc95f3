/**
 * Page URLs (issue 13 §5): every page and every conversation has a hash URL — `#/chat/<id>`, `#/chat` (a new chat),
 * `#/models`, `#/settings`, … — so a reload keeps the page, Back and Forward move inside the app and links can be
 * bookmarked. A hash works the same in the headless server's browser tab and in the desktop window (loadFile).
 *
 * parseHash/formatRoute are pure (route.test.ts). syncRoute keeps the ui store and the address bar in step; the
 * window it works on is passed in, so it is testable without a browser.
 */
import { useEffect } from 'react';
import { ConversationId } from '@shared/schemas';
import { useUi, type View } from '../stores/ui';

export interface Route {
  view: View;
  /** Only for the chat page: the conversation shown (null: a new chat). */
  conversationId: string | null;
}

/** The page a URL without a page (or with one we do not know) shows; the ui store starts there too. */
export const DEFAULT_VIEW: View = 'model';

/** Every page; the order is irrelevant, the set is what a URL may name. */
const VIEWS: ReadonlySet<View> = new Set<View>([
  'chat',
  'model',
  'monitor',
  'hardware',
  'logs',
  'settings',
  'models',
  'library',
  'downloads',
  'quants',
  'backends',
  'wizard',
]);

const isView = (s: string): s is View => VIEWS.has(s as View);

/**
 * The route a hash names; null when it names none (empty, `#`, `#/`), so the app may pick its own start page.
 * Hostile input never throws: an unknown page is the default page, an id that is not a ConversationId a new chat.
 * Ids are matched as written (a ConversationId has no characters that need escaping, so a %-escape is invalid).
 */
export function parseHash(hash: string): Route | null {
  const path = hash
    .replace(/^#/, '')
    .replace(/^\/+/, '')
    .replace(/[?#].*$/s, '');
  if (path === '') return null;
  const [page = '', id, ...rest] = path.split('/');
  if (!isView(page)) return { view: DEFAULT_VIEW, conversationId: null };
  if (page !== 'chat') return { view: page, conversationId: null };
  const valid = id !== undefined && rest.length === 0 && ConversationId.safeParse(id).success;
  return { view: 'chat', conversationId: valid ? id : null };
}

/** The canonical hash of a route: `#/chat/<id>`, `#/chat`, `#/<page>`. */
export function formatRoute(r: Route): string {
  if (r.view === 'chat' && r.conversationId && ConversationId.safeParse(r.conversationId).success) {
    return `#/chat/${r.conversationId}`;
  }
  return `#/${r.view}`;
}

/** Whether the app is already showing what the route names (then applying it would change nothing). */
export const sameRoute = (a: Route, b: Route): boolean =>
  a.view === b.view && (a.view !== 'chat' || a.conversationId === b.conversationId);

/** The bits of `window` syncRoute uses. */
export interface RouteEnv {
  location: { readonly hash: string; readonly href: string };
  history: {
    pushState(data: unknown, unused: string, url: string): void;
    replaceState(data: unknown, unused: string, url: string): void;
    readonly state: unknown;
  };
  addEventListener(type: 'hashchange' | 'popstate' | 'pointerdown' | 'keydown', f: () => void, capture?: boolean): void;
  removeEventListener(
    type: 'hashchange' | 'popstate' | 'pointerdown' | 'keydown',
    f: () => void,
    capture?: boolean,
  ): void;
}

/** The store as syncRoute sees it (useUi in the app). */
export interface RouteStore {
  getState(): Route & { setView(v: View): void; openConversation(id: string | null): void };
  subscribe(listener: () => void): () => void;
}

const urlWithHash = (href: string, hash: string) => href.replace(/#.*$/s, '') + hash;

/**
 * Keeps the store and the hash in step, both ways, and returns the function that stops it.
 * - At start: a hash that names a page is applied (reload keeps the page); a non-canonical one is rewritten in place.
 *   No hash: the store's page is written in place, so the first entry of this tab is ours.
 * - Back/Forward, an edited or followed link (popstate, hashchange): the hash is applied to the store.
 * - A store change (a click in the app): a new history entry, unless the hash already says it (no duplicates).
 *   Changes the app makes by itself before the user has touched the page (the setup wizard opening, a running model
 *   taking the window to the chat) replace the entry instead, so Back does not return to a page never asked for.
 */
export function syncRoute(env: RouteEnv, store: RouteStore): () => void {
  let touched = false;
  const touch = () => {
    touched = true;
    env.removeEventListener('pointerdown', touch, true);
    env.removeEventListener('keydown', touch, true);
  };
  env.addEventListener('pointerdown', touch, true);
  env.addEventListener('keydown', touch, true);

  const write = (hash: string, replace: boolean) => {
    const url = urlWithHash(env.location.href, hash);
    if (replace) env.history.replaceState(env.history.state, '', url);
    else env.history.pushState(null, '', url);
  };

  const apply = () => {
    const named = parseHash(env.location.hash);
    const route = named ?? { view: DEFAULT_VIEW, conversationId: null };
    const s = store.getState();
    // Setting the store only when it differs: every store change counts as navigation (features/wizard/firstRun.ts).
    if (!sameRoute(route, s)) {
      if (route.view === 'chat') s.openConversation(route.conversationId);
      else s.setView(route.view);
    }
    const canonical = formatRoute(route);
    if (named && env.location.hash !== canonical) write(canonical, true);
  };

  const follow = () => {
    const s = store.getState();
    const hash = formatRoute(s);
    if (env.location.hash === hash) return;
    const shown = parseHash(env.location.hash);
    // A new chat that got its id when its first message was sent is the same page, not a new entry.
    const named = shown?.view === 'chat' && shown.conversationId === null && s.view === 'chat';
    write(hash, !touched || shown === null || named);
  };

  if (parseHash(env.location.hash)) apply();
  else write(formatRoute(store.getState()), true);

  env.addEventListener('popstate', apply);
  env.addEventListener('hashchange', apply);
  const unsubscribe = store.subscribe(follow);
  return () => {
    unsubscribe();
    touch();
    env.removeEventListener('popstate', apply);
    env.removeEventListener('hashchange', apply);
  };
}

/** Mounted once at the root (App.tsx). */
export function useRouteSync(): void {
  useEffect(() => syncRoute(window, useUi), []);
}

/** The route the page was opened with (read before syncRoute rewrites anything): did the URL name a page? */
export const openedWithRoute = (): boolean => parseHash(window.location.hash) !== null;
