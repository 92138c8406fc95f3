import type { Lang } from '@shared/errors';
import type { Settings } from '@shared/schemas';

export const LANGS: readonly Lang[] = ['en', 'zh-CN'];

export const localeToLang = (locale: string | null | undefined): Lang =>
  locale && /^zh/i.test(locale.trim()) ? 'zh-CN' : 'en';

/**
 * 'system' follows the browser/window first (what the user reads in), then the OS locale the core reports.
 */
export function resolveLang(
  setting: Settings['language'] | undefined,
  navigatorLang: string | undefined,
  systemLocale: string | undefined,
): Lang {
  if (setting === 'en' || setting === 'zh-CN') return setting;
  return localeToLang(navigatorLang || systemLocale);
}
