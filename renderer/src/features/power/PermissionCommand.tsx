import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckIcon, CopyIcon } from '../../components/icons';
import { copyText } from '../../lib/clipboard';

/** The exact command that would apply the limit with administrator rights, ready to paste into a terminal. */
export function PermissionCommand({ command }: { command: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  if (!command) return null;
  return (
    <div className="command-box">
      <p className="hint">{t('power.commandHint')}</p>
      <div className="command-row">
        <code className="mono" data-testid="power-command">
          {command}
        </code>
        <button
          type="button"
          className="btn btn-small"
          data-testid="power-command-copy"
          onClick={() =>
            void copyText(command).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            })
          }
        >
          {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
    </div>
  );
}
