/** The recovery view of the live backend status, re-computed each second while a countdown runs. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '@shared/errors';
import type { BackendStatus } from '@shared/schemas';
import { useBackendText } from '../../lib/useBackendText';
import { recoveryView, render, type Line, type RecoveryView } from './recovery-view';

/** Date.now(), refreshed every `ms` until `until` has passed (null: not ticking). */
export function useNow(until: number | null, ms = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === null) return;
    const id = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t > until) clearInterval(id);
    }, ms);
    return () => clearInterval(id);
  }, [until, ms]);
  return until === null ? Date.now() : now;
}

export function useRecoveryView(status: BackendStatus | undefined): RecoveryView | null {
  const nextAt = status?.recovery?.phase === 'restarting' ? status.recovery.nextAt : null;
  const now = useNow(nextAt);
  return recoveryView(status, now);
}

/** A line of the view as text, with another key's text or a translated error as params. */
export function useRecoveryText(): (line: Line, reason?: ErrorInfo) => string {
  const tb = useBackendText();
  const { t: te } = useTranslation('errors');
  return (line, reason) => render(line, tb, reason ? { reason: te(reason.code, { ...reason.params }) } : {});
}
