import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useUi } from '../../stores/ui';
import { useLibrary } from '../models/queries';
import { ImportForm } from './ImportForm';
import { LibraryRow } from './LibraryRow';
import { useLoadModel } from './useLoadModel';

export function LibraryPage() {
  const { t } = useTranslation();
  const { data: models, error, isPending } = useLibrary();
  const setView = useUi((s) => s.setView);
  const { load, error: loadError } = useLoadModel();

  return (
    <div className="page page-narrow">
      <section className="card">
        <div className="card-head-row">
          <h2 className="card-title">{t('library.title')}</h2>
          {models && models.length > 0 && (
            <span className="muted small">{t('library.count', { count: models.length })}</span>
          )}
        </div>
        {error && <ErrorMessage error={error} />}
        {isPending && <p className="muted">{t('common.loading')}</p>}
        {models && models.length === 0 && (
          <div className="library-empty" data-testid="library-empty">
            <p className="muted">{t('library.empty')}</p>
            <button type="button" className="btn btn-primary" onClick={() => setView('models')}>
              {t('library.browse')}
            </button>
          </div>
        )}
        {loadError && <ErrorMessage error={loadError} compact />}
        {models && models.length > 0 && (
          <ul className="library-list">
            {models.map((m) => (
              <LibraryRow key={m.id} model={m} onLoad={() => load(m.path)} />
            ))}
          </ul>
        )}
      </section>
      <ImportForm />
    </div>
  );
}
