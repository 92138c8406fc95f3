/**
 * Code the first page does not need, fetched the first time a message needs it (KaTeX and its CSS for math, the
 * highlighter for code): a resource is loaded once, shared by every block, and a block that asked for it renders
 * again when it arrives. A failed fetch (the server went away) is forgotten, so the next block to ask retries.
 */
import { useEffect, useSyncExternalStore } from 'react';

export interface LazyResource<T> {
  get(): T | null;
  load(): Promise<void>;
  subscribe(listener: () => void): () => void;
}

export function lazyResource<T>(fetch: () => Promise<T>): LazyResource<T> {
  let value: T | null = null;
  let pending: Promise<void> | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    load() {
      pending ??= fetch().then(
        (v) => {
          value = v;
          for (const l of listeners) l();
        },
        () => {
          pending = null;
        },
      );
      return pending;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The resource once loaded when `wanted` (starting the fetch if need be), else null. */
export function useLazy<T>(resource: LazyResource<T>, wanted: boolean): T | null {
  const value = useSyncExternalStore(resource.subscribe, resource.get, resource.get);
  useEffect(() => {
    if (wanted && !value) void resource.load();
  }, [resource, wanted, value]);
  return wanted ? value : null;
}
