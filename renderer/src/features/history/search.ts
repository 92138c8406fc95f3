/** Full-text search across all conversations, as the user types (debounced) and kept fresh by conversations.changed. */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useClient } from '../../api/context';

/** Long enough to skip the keystrokes of a word being typed, short enough to feel live. */
export const SEARCH_DEBOUNCE_MS = 200;
/** conversations.search takes a query of 1–200 characters. */
export const searchText = (q: string): string => q.trim().slice(0, 200);

const searchKey = (q: string) => ['conversations.search', q] as const;

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** Hits for the typed query (debounced); the previous hits stay on screen while the next ones load. */
export function useSearch(query: string) {
  const client = useClient();
  const qc = useQueryClient();
  const q = useDebounced(searchText(query), SEARCH_DEBOUNCE_MS);
  // A rename, delete or new reply changes what matches: ask again (only the query on screen is active).
  useEffect(
    () => client.on('conversations.changed', () => void qc.invalidateQueries({ queryKey: ['conversations.search'] })),
    [client, qc],
  );
  const result = useQuery({
    queryKey: searchKey(q),
    queryFn: () => client.call('conversations.search', { query: q, limit: 50 }),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
  return { ...result, query: q, pending: searchText(query) !== q || result.isFetching };
}
