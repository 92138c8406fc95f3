import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { View } from '../stores/ui';
import { formatRoute, parseHash, syncRoute, type Route, type RouteEnv } from './route';

describe('parseHash', () => {
  // Every page is reachable by URL; anything else a user (or a hostile link) can type lands somewhere sane.
  it.each<[string, Route | null]>([
    ['', null],
    ['#', null],
    ['#/', null],
    ['#//', null],
    ['#/models', { view: 'models', conversationId: null }],
    ['#/model', { view: 'model', conversationId: null }],
    ['#/monitor', { view: 'monitor', conversationId: null }],
    ['#/settings', { view: 'settings', conversationId: null }],
    ['#/wizard', { view: 'wizard', conversationId: null }],
    ['#/quants', { view: 'quants', conversationId: null }],
    ['#/quants/', { view: 'quants', conversationId: null }],
    ['#/quants/some/model.gguf', { view: 'quants', conversationId: null }],
    ['#/Quants', { view: 'model', conversationId: null }],
    ['#settings', { view: 'settings', conversationId: null }],
    ['#/settings/', { view: 'settings', conversationId: null }],
    ['#/settings?x=1', { view: 'settings', conversationId: null }],
    ['#/chat', { view: 'chat', conversationId: null }],
    ['#/chat/', { view: 'chat', conversationId: null }],
    ['#/chat/c1a2b-3_x', { view: 'chat', conversationId: 'c1a2b-3_x' }],
    // Unknown pages: the default page, never an exception or a blank page.
    ['#/nope', { view: 'model', conversationId: null }],
    ['#/constructor', { view: 'model', conversationId: null }],
    ['#/__proto__', { view: 'model', conversationId: null }],
    ['#/Chat', { view: 'model', conversationId: null }],
    // Ids are checked like ConversationId: anything else is a new chat, not a request to the core.
    ['#/chat/..%2F..%2Fetc', { view: 'chat', conversationId: null }],
    ['#/chat/a b', { view: 'chat', conversationId: null }],
    ['#/chat/<script>', { view: 'chat', conversationId: null }],
    ['#/chat/' + 'x'.repeat(65), { view: 'chat', conversationId: null }],
    ['#/chat/' + 'x'.repeat(64), { view: 'chat', conversationId: 'x'.repeat(64) }],
    ['#/chat/abc/def', { view: 'chat', conversationId: null }],
    ['#/chat/%E4%BD%A0', { view: 'chat', conversationId: null }],
    ['#/models/abc', { view: 'models', conversationId: null }],
  ])('%j', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });
});

describe('formatRoute', () => {
  it.each<[Route, string]>([
    [{ view: 'chat', conversationId: 'abc' }, '#/chat/abc'],
    [{ view: 'chat', conversationId: null }, '#/chat'],
    [{ view: 'chat', conversationId: 'bad id' }, '#/chat'],
    [{ view: 'models', conversationId: 'abc' }, '#/models'],
    [{ view: 'settings', conversationId: null }, '#/settings'],
    [{ view: 'quants', conversationId: 'abc' }, '#/quants'],
  ])('%j → %s', (route, hash) => {
    expect(formatRoute(route)).toBe(hash);
  });

  it('round-trips every page', () => {
    const views: View[] = [
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
      'wizard',
    ];
    for (const view of views)
      expect(parseHash(formatRoute({ view, conversationId: null }))).toEqual({ view, conversationId: null });
  });
});

/** A window with a real history stack: push, replace, back and forward fire popstate as a browser does. */
function fakeWindow(start: string) {
  const entries = [start];
  let at = 0;
  const listeners = new Map<string, Set<() => void>>();
  const fire = (type: string) => [...(listeners.get(type) ?? [])].forEach((f) => f());
  const env: RouteEnv = {
    location: {
      get hash() {
        const h = entries[at]!.replace(/^[^#]*/, '');
        return h === '#' ? '' : h;
      },
      get href() {
        return entries[at]!;
      },
    },
    history: {
      state: null,
      pushState: (_d, _u, url) => {
        entries.splice(at + 1, entries.length, url);
        at = entries.length - 1;
      },
      replaceState: (_d, _u, url) => {
        entries[at] = url;
      },
    },
    addEventListener: (type, f) => {
      if (!listeners.has(type)) listeners.set(type, new Set());
      listeners.get(type)!.add(f);
    },
    removeEventListener: (type, f) => listeners.get(type)?.delete(f),
  };
  return {
    env,
    entries,
    get current() {
      return entries[at]!;
    },
    back() {
      at--;
      fire('popstate');
    },
    forward() {
      at++;
      fire('popstate');
    },
    /** The user edits the address bar's hash (a new entry and hashchange, as a browser does). */
    type(url: string) {
      entries.splice(at + 1, entries.length, url);
      at = entries.length - 1;
      fire('popstate');
      fire('hashchange');
    },
    click: () => fire('pointerdown'),
  };
}

function fakeStore() {
  let changes = 0;
  const store = create<Route & { setView(v: View): void; openConversation(id: string | null): void }>()((set) => ({
    view: 'model',
    conversationId: null,
    setView: (view) => set({ view }),
    openConversation: (conversationId) => set({ view: 'chat', conversationId }),
  }));
  store.subscribe(() => changes++);
  return { store, changes: () => changes };
}

const base = 'http://127.0.0.1:5000/';

describe('syncRoute', () => {
  it('a reload applies the page the URL names, and rewrites a non-canonical one in place', () => {
    const w = fakeWindow(`${base}#/chat/abc`);
    const { store } = fakeStore();
    syncRoute(w.env, store);
    expect(store.getState()).toMatchObject({ view: 'chat', conversationId: 'abc' });

    const w2 = fakeWindow(`${base}#/bogus`);
    const s2 = fakeStore();
    syncRoute(w2.env, s2.store);
    expect(s2.store.getState().view).toBe('model');
    expect(w2.entries).toEqual([`${base}#/model`]);
  });

  it('no hash: writes the start page in place and leaves the store alone (the wizard may still open)', () => {
    const w = fakeWindow(base);
    const { store, changes } = fakeStore();
    syncRoute(w.env, store);
    expect(w.entries).toEqual([`${base}#/model`]);
    expect(changes()).toBe(0);
  });

  it('a URL naming the page already shown changes nothing in the store', () => {
    const w = fakeWindow(`${base}#/model`);
    const { store, changes } = fakeStore();
    syncRoute(w.env, store);
    expect(changes()).toBe(0);
  });

  it('redirects before the user touched the page replace; clicks push one entry each; Back/Forward move inside', () => {
    const w = fakeWindow(base);
    const { store } = fakeStore();
    syncRoute(w.env, store);
    store.getState().setView('wizard'); // the wizard opening by itself
    expect(w.entries).toEqual([`${base}#/wizard`]);

    w.click();
    store.getState().setView('models');
    store.getState().openConversation('c1');
    store.getState().setView('settings');
    expect(w.entries).toEqual([`${base}#/wizard`, `${base}#/models`, `${base}#/chat/c1`, `${base}#/settings`]);

    w.back();
    expect(store.getState()).toMatchObject({ view: 'chat', conversationId: 'c1' });
    w.back();
    expect(store.getState().view).toBe('models');
    w.forward();
    expect(store.getState()).toMatchObject({ view: 'chat', conversationId: 'c1' });
    // Going back and forth added nothing.
    expect(w.entries).toHaveLength(4);
  });

  it('no duplicate entry when the store is set to what the URL already says', () => {
    const w = fakeWindow(`${base}#/models`);
    const { store } = fakeStore();
    syncRoute(w.env, store);
    w.click();
    store.getState().setView('models');
    store.getState().setView('models');
    expect(w.entries).toEqual([`${base}#/models`]);
  });

  it('a new chat that gets its id replaces its entry (the same page); opening another chat pushes', () => {
    const w = fakeWindow(`${base}#/chat`);
    const { store } = fakeStore();
    syncRoute(w.env, store);
    w.click();
    store.getState().openConversation('new1');
    expect(w.entries).toEqual([`${base}#/chat/new1`]);
    store.getState().openConversation('other');
    expect(w.entries).toEqual([`${base}#/chat/new1`, `${base}#/chat/other`]);
  });

  it('an edited address bar or a followed link is applied; hostile ones land on a sane page', () => {
    const w = fakeWindow(`${base}#/models`);
    const { store } = fakeStore();
    syncRoute(w.env, store);
    w.type(`${base}#/chat/xyz`);
    expect(store.getState()).toMatchObject({ view: 'chat', conversationId: 'xyz' });
    w.type(`${base}#/chat/../../x`);
    expect(store.getState()).toMatchObject({ view: 'chat', conversationId: null });
    expect(w.current).toBe(`${base}#/chat`);
  });

  it('stops listening when disposed', () => {
    const w = fakeWindow(`${base}#/models`);
    const { store } = fakeStore();
    const stop = syncRoute(w.env, store);
    stop();
    store.getState().setView('logs');
    w.type(`${base}#/settings`);
    expect(w.entries).toEqual([`${base}#/models`, `${base}#/settings`]);
    expect(store.getState().view).toBe('logs');
  });
});
