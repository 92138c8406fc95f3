import type { InputHTMLAttributes } from 'react';

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
      <input className="input mono" data-testid={testId} type="text" spellCheck={false} autoComplete="off" {...input} onChange={(e) => onValueChange(e.target.value)} />
      {busy && <span className="spinner" role="status" aria-label={busyLabel} />}
    </div>
  );
}
