import { useTranslation } from 'react-i18next';
import type { ErrorInfo } from '@shared/errors';
import { asErrorInfo } from '../lib/errors';
import { AlertIcon } from './icons';

/** A translated error with its raw details (stderr, zod issues) behind a disclosure, for bug reports. */
export function ErrorMessage({
  error,
  testId,
  compact = false,
}: {
  error: ErrorInfo | unknown;
  testId?: string;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const { t: te } = useTranslation('errors');
  const info = asErrorInfo(error);
  const text = te(info.code, { ...info.params });
  return (
    <div
      className={compact ? 'error-box compact' : 'error-box'}
      role="alert"
      data-testid={testId}
      data-code={info.code}
    >
      <AlertIcon size={18} className="error-icon" />
      <div className="error-body">
        <p className="error-text">{text}</p>
        {(info.details || !compact) && (
          <details className="error-details">
            <summary>{t('common.details')}</summary>
            <pre>
              {t('common.errorCode', { code: info.code })}
              {info.details
                ? `\n\n${info.details}`
                : info.message && info.message !== text
                  ? `\n\n${info.message}`
                  : ''}
            </pre>
          </details>
        )}
      </div>
    </div>
  );
}
