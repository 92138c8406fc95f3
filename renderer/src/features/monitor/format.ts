import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

export interface Formats {
  /** Number with at most `digits` decimals, in the UI language. */
  num: (v: number, digits?: number) => string;
  time: (t: number) => string;
  timeShort: (t: number) => string;
}

/** Intl formatters are costly to build and cheap to use: one set per language, shared by every chart. */
export function useFormats(): Formats {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  return useMemo(() => {
    const nf = [0, 1, 2].map(
      (d) => new Intl.NumberFormat(locale, { maximumFractionDigits: d, minimumFractionDigits: 0 }),
    ) as [Intl.NumberFormat, Intl.NumberFormat, Intl.NumberFormat];
    const long = new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    const short = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
    return {
      num: (v, digits = 0) => nf[digits >= 2 ? 2 : digits >= 1 ? 1 : 0].format(v),
      time: (t) => long.format(t),
      timeShort: (t) => short.format(t),
    };
  }, [locale]);
}
