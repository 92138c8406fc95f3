import { useTranslation } from 'react-i18next';
import type { LiveMessages } from '../i18n/live';

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];
/** A key of the `live` namespace (renderer/src/i18n/live/), e.g. 'thread.copy'. */
export type LiveKey = Paths<LiveMessages>;

/**
 * `t` for the `live` namespace, typed by our own key union (adding a namespace to i18next.d.ts pushes other
 * components past TypeScript's instantiation depth, TS2589; see useRuntimeText). Same lookup and fallback.
 */
export function useLiveText(): (key: LiveKey, params?: Record<string, string | number>) => string {
  const { i18n } = useTranslation();
  const fixed = i18n.getFixedT(i18n.resolvedLanguage ?? null, 'live' as never) as unknown as (
    key: string,
    params?: Record<string, string | number>,
  ) => string;
  return (key, params) => fixed(key, params);
}
