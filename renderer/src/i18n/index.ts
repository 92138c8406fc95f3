import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { errorMessages } from '@shared/errors';
import { fitReasonMessages } from '@shared/models';
import { probeNoteMessages } from '@shared/telemetry';
import { en } from './en';
import { zhCN } from './zh-CN';
import { runtimesEn } from './runtimes.en';
import { runtimesZhCN } from './runtimes.zh-CN';
import { localeToLang } from './resolve';
import { backendEn, backendZhCN } from './backend';
import { liveEn, liveZhCN } from './live';
import { quantEn, quantZhCN } from './quant';
import { kindsEn, kindsZhCN } from './kinds';

export const resources = {
  en: {
    translation: en,
    errors: errorMessages.en,
    fit: fitReasonMessages.en,
    probe: probeNoteMessages.en,
    runtimes: runtimesEn,
    backend: backendEn,
    live: liveEn,
    quant: quantEn,
    kinds: kindsEn,
  },
  'zh-CN': {
    translation: zhCN,
    errors: errorMessages['zh-CN'],
    fit: fitReasonMessages['zh-CN'],
    probe: probeNoteMessages['zh-CN'],
    runtimes: runtimesZhCN,
    backend: backendZhCN,
    live: liveZhCN,
    quant: quantZhCN,
    kinds: kindsZhCN,
  },
} as const;

export function initI18n() {
  const lng = localeToLang(navigator.language);
  void i18next.use(initReactI18next).init({
    resources,
    lng,
    fallbackLng: 'en',
    supportedLngs: ['en', 'zh-CN'],
    load: 'currentOnly',
    ns: ['translation', 'errors', 'fit', 'probe', 'runtimes', 'backend', 'live', 'quant', 'kinds'],
    defaultNS: 'translation',
    // React escapes; params in error messages are paths and reasons, shown as text.
    interpolation: { escapeValue: false },
    // Same placeholder as formatError in errors.ts when a param is missing.
    missingInterpolationHandler: () => '…',
    initAsync: false,
  });
  document.documentElement.lang = lng;
  i18next.on('languageChanged', (l) => {
    document.documentElement.lang = l;
  });
  return i18next;
}
