import { ErrorMessage } from '../../../components/ErrorMessage';
import { useKindsText } from '../../../lib/useKindsText';
import { hintCode } from './remote-view';

/** A translated error (the `errors` namespace) with what to do about it, per code (kinds.remote.hints). */
export function RemoteError({ error, testId }: { error: unknown; testId: string }) {
  const t = useKindsText();
  const hint = hintCode(error);
  return (
    <div className="remote-error">
      <ErrorMessage error={error} testId={testId} compact />
      {hint && (
        <p className="hint remote-hint" data-testid={`${testId}-hint`}>
          {t(`remote.hints.${hint}`)}
        </p>
      )}
    </div>
  );
}
