import type { InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppInfo } from '../api/queries';
import { FolderIcon } from './icons';

type PathInputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'type' | 'value' | 'onChange'> & {
  testId: string;
  value: string;
  onValueChange: (value: string) => void;
  /** Shows a spinner inside the field, announced with busyLabel. */
  busy?: boolean;
  busyLabel?: string;
};

/** The monospace field of a path row (a file path, a repo id or URL): no spell check, no autocomplete. */
export function PathInput({ testId, onValueChange, busy = false, busyLabel, ...input }: PathInputProps) {
  return (
    <div className="input-wrap">
      <input
        className="input mono"
        data-testid={testId}
        type="text"
        spellCheck={false}
        autoComplete="off"
        {...input}
        onChange={(e) => onValueChange(e.target.value)}
      />
      {busy && <span className="spinner" role="status" aria-label={busyLabel} />}
    </div>
  );
}

/** The example a model-file field shows, in the form of the machine the app runs on (C:\… or /home/…). */
export function useModelPathPlaceholder(): string {
  const { t } = useTranslation();
  const { data: info } = useAppInfo();
  return info?.platform === 'win32' ? t('model.pathPlaceholderWin') : t('model.pathPlaceholder');
}

/** "Browse…" beside a model-file field: the native file dialog, so only in the desktop window. */
export function BrowseButton({
  testId,
  onClick,
  disabled,
}: {
  testId: string;
  onClick: () => void;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const { data: info } = useAppInfo();
  if (info?.shell !== 'electron') return null;
  return (
    <button type="button" className="btn" data-testid={testId} onClick={onClick} disabled={disabled}>
      <FolderIcon size={16} />
      {t('model.browse')}
    </button>
  );
}
