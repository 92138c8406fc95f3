import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { useAppInfo } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon } from '../../components/icons';
import { BrowseButton, PathInput, useModelPathPlaceholder } from '../../components/PathInput';
import { useImportModel } from '../models/queries';

/** Adds a GGUF the user already has: copied into the models folder, or referenced where it lies. */
export function ImportForm() {
  const { t } = useTranslation();
  const id = useId();
  const client = useClient();
  const { data: info } = useAppInfo();
  const placeholder = useModelPathPlaceholder();
  const imp = useImportModel();
  const [path, setPath] = useState('');
  const [mode, setMode] = useState<'copy' | 'reference'>('reference');
  const [pickError, setPickError] = useState<unknown>(null);

  const browse = async () => {
    setPickError(null);
    try {
      const r = await client.call('shell.pickModelFile', {});
      if (r.path) setPath(r.path);
    } catch (e) {
      setPickError(e);
    }
  };
  const submit = () => {
    const p = path.trim();
    if (!p) return;
    imp.mutate({ path: p, mode }, { onSuccess: () => setPath('') });
  };

  return (
    <section className="card" data-testid="library-import-card">
      <h2 className="card-title">{t('library.import.title')}</h2>
      <form
        className="path-row"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <PathInput
          testId="library-import-path"
          value={path}
          placeholder={placeholder}
          aria-label={t('library.import.path')}
          onValueChange={setPath}
        />
        <BrowseButton testId="library-import-browse" onClick={() => void browse()} />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="library-import"
          disabled={!path.trim() || imp.isPending}
        >
          {imp.isPending ? t('library.import.importing') : t('library.import.import')}
        </button>
      </form>
      <fieldset className="import-mode" aria-label={t('library.import.mode')}>
        {(['reference', 'copy'] as const).map((m) => (
          <label key={m} className="radio">
            <input
              type="radio"
              name={`${id}-mode`}
              value={m}
              checked={mode === m}
              data-testid={`library-import-${m}`}
              onChange={() => setMode(m)}
            />
            <span>
              <span className="radio-title">{t(`library.import.${m}`)}</span>
              <span className="muted small">{t(`library.import.${m}Hint`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {info?.shell === 'browser' && <p className="hint">{t('model.pathHintBrowser')}</p>}
      {!!(imp.error ?? pickError) && (
        <div className="file-error">
          <ErrorMessage error={imp.error ?? pickError} testId="library-import-error" />
        </div>
      )}
      {imp.isSuccess && !imp.error && (
        <p className="import-done small" data-testid="library-import-done">
          <CheckIcon size={14} />
          {t('library.import.done', { name: imp.data.name })}
        </p>
      )}
    </section>
  );
}
