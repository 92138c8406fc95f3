import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../components/CopyButton';

/** The exact command that would apply the limit with administrator rights, ready to paste into a terminal. */
export function PermissionCommand({ command }: { command: string }) {
  const { t } = useTranslation();
  if (!command) return null;
  return (
    <div className="command-box">
      <p className="hint">{t('power.commandHint')}</p>
      <div className="command-row">
        <code className="mono" data-testid="power-command">
          {command}
        </code>
        <CopyButton text={command} testId="power-command-copy" />
      </div>
    </div>
  );
}
