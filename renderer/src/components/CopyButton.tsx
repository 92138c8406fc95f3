import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../lib/clipboard';
import { CheckIcon, CopyIcon } from './icons';

/** "Copy" that reads "Copied" with a check mark for two seconds after the text reached the clipboard. */
export function CopyButton({ text, testId }: { text: string; testId?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-small"
      {...(testId ? { 'data-testid': testId } : {})}
      onClick={() =>
        void copyText(text).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        })
      }
    >
      {copied ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}
