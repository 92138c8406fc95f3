import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '@shared/telemetry';
import { useFormats } from '../monitor/format';

/** An alert's message in the UI language, from its kind and params (the core sends values, never sentences). */
export function useAlertText(): (a: Alert) => string {
  const { t } = useTranslation();
  const f = useFormats();
  return useCallback(
    (a: Alert) => {
      const params: Record<string, string | number> = { gpu: a.gpu ?? '' };
      for (const [k, v] of Object.entries(a.params)) params[k] = typeof v === 'number' ? f.num(v, 1) : v;
      // The guard reports a failed change under its own kind, with level "error" and the error code.
      if (a.level === 'error' && 'error' in a.params) return t('alerts.guardFailed', params);
      return t(`alerts.kinds.${a.kind}`, params);
    },
    [t, f],
  );
}
