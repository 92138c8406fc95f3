/** The chat's "not running" notice, or, while the supervision brings the backend back, what it is doing. */
import { useTranslation } from 'react-i18next';
import type { BackendStatus } from '@shared/schemas';
import { useRecoveryText, useRecoveryView } from '../model/useRecovery';

export function NotReadyText({ status }: { status: BackendStatus | undefined }) {
  const { t } = useTranslation();
  const view = useRecoveryView(status);
  const text = useRecoveryText();
  if (view?.phase === 'restarting') return <span data-testid="chat-restarting">{text(view.headline)}</span>;
  return <span>{t('chat.notReady')}</span>;
}
