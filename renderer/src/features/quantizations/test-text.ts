/** Tests only: `t` of the quant namespace over the app's own tables (en, zh-CN), as i18next resolves it in the app. */
import i18next from 'i18next';
import { quantEn, quantZhCN } from '../../i18n/quant';
import type { QuantT } from './compare-view';

export function quantT(lng: 'en' | 'zh-CN'): QuantT {
  const i = i18next.createInstance();
  void i.init({
    resources: { en: { quant: quantEn }, 'zh-CN': { quant: quantZhCN } },
    lng,
    fallbackLng: false,
    ns: ['quant'],
    defaultNS: 'quant',
    interpolation: { escapeValue: false },
    missingInterpolationHandler: () => '…',
    initAsync: false,
  });
  // The namespace is not in i18next.d.ts (see useQuantText), hence the casts.
  const t = i.getFixedT(lng, 'quant' as never) as unknown as (k: string, p?: Record<string, string | number>) => string;
  const has = i.exists.bind(i) as unknown as (k: string, o: { ns: string }) => boolean;
  return (key, params) => {
    if (!has(key, { ns: 'quant' })) throw new Error(`missing key ${key}`);
    return t(key, params);
  };
}
