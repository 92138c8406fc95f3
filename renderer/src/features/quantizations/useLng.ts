import { useTranslation } from 'react-i18next';

/** The UI language, for number and date formatting. */
export function useLng(): string {
  const { i18n } = useTranslation();
  return i18n.resolvedLanguage ?? 'en';
}
