import { useTranslation } from 'react-i18next';
import type { KindsMessages } from '../i18n/kinds';

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];
/** A key of the `kinds` namespace (renderer/src/i18n/kinds/), e.g. 'vllm.title'. */
export type KindsKey = Paths<KindsMessages>;

/**
 * `t` for the `kinds` namespace, typed by our own key union (adding a namespace to i18next.d.ts pushes other
 * components past TypeScript's instantiation depth, TS2589; see useRuntimeText). Same lookup and fallback.
 */
export function useKindsText(): (key: KindsKey, params?: Record<string, string | number>) => string {
  const { i18n } = useTranslation();
  const fixed = i18n.getFixedT(i18n.resolvedLanguage ?? null, 'kinds' as never) as unknown as (
    key: string,
    params?: Record<string, string | number>,
  ) => string;
  return (key, params) => fixed(key, params);
}
