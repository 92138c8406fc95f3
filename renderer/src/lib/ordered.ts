/**
 * Bounded lists ordered by a numeric key (a log line's seq, an alert's id, a sample's ts): a fetched backlog merged
 * with live events that arrived while it was in flight, and live items appended one at a time. Pure.
 */

/** Merges two key-ordered lists, dropping duplicates by key (the later list wins) and the oldest over `max`. */
export function mergeByKey<T>(a: readonly T[], b: readonly T[], key: (x: T) => number, max: number): T[] {
  const byKey = new Map<number, T>();
  for (const x of a) byKey.set(key(x), x);
  for (const x of b) byKey.set(key(x), x);
  const all = [...byKey.values()].sort((x, y) => key(x) - key(y));
  return all.length > max ? all.slice(all.length - max) : all;
}

/** Appends one item; the common case (newer than the last) copies references only, no sort. */
export function appendByKey<T>(list: readonly T[], item: T, key: (x: T) => number, max: number): T[] {
  const last = list[list.length - 1];
  if (last !== undefined && key(item) <= key(last)) return mergeByKey(list, [item], key, max);
  const next = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  next.push(item);
  return next;
}
