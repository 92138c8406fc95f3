/**
 * The catalog's vLLM checkpoints (models.vllmCatalog): each with its quantization and size, a Download that fetches
 * the whole snapshot (downloads.start { snapshot: repo }; progress as on the Discover page), and once it is in the
 * library, "Use" to put its folder into the start form.
 */
import type { LibraryModel, VllmCatalogEntry } from '@shared/models';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { formatBytes, formatParams } from '../../../lib/format';
import { useKindsText } from '../../../lib/useKindsText';
import { DownloadAction } from '../../downloads/DownloadAction';
import { useDownloads } from '../../models/queries';
import { useLng } from '../../quantizations/useLng';
import { useVllmCatalog } from './queries';
import { installedSnapshot, snapshotJob, snapshotRequest } from './vllm-catalog';

export function VllmCatalog({
  library,
  onUse,
}: {
  library: readonly LibraryModel[] | undefined;
  onUse: (path: string) => void;
}) {
  const t = useKindsText();
  const catalog = useVllmCatalog();
  const jobs = useDownloads();
  if (catalog.data?.length === 0) return null;
  return (
    <div className="vllm-block vllm-catalog" data-testid="vllm-catalog">
      <h3 className="vllm-h3">{t('vllm.catalog.title')}</h3>
      <p className="muted">{t('vllm.catalog.intro')}</p>
      {catalog.error && <ErrorMessage error={catalog.error} compact />}
      <ul className="vllm-catalog-list">
        {catalog.data?.map((e) => (
          <CatalogRow
            key={e.id}
            entry={e}
            installed={installedSnapshot(library, e)}
            job={snapshotJob(jobs.data, e)}
            onUse={onUse}
          />
        ))}
      </ul>
    </div>
  );
}

function CatalogRow({
  entry: e,
  installed,
  job,
  onUse,
}: {
  entry: VllmCatalogEntry;
  installed: LibraryModel | undefined;
  job: ReturnType<typeof snapshotJob>;
  onUse: (path: string) => void;
}) {
  const t = useKindsText();
  const lng = useLng();
  const description = e.descriptionI18n[lng] ?? e.description;
  return (
    <li className="vllm-catalog-row" data-testid="vllm-catalog-row" data-id={e.id}>
      <div className="vllm-catalog-main">
        <strong>{e.name}</strong>
        <span className="vllm-catalog-meta muted small">
          <span className="chip chip-accent">{e.quantization}</span>
          <span>{formatParams(e.parameters)}</span>
          <span>{t('vllm.catalog.size', { size: formatBytes(e.sizeBytes, lng) })}</span>
          <span className="mono">{e.repo}</span>
        </span>
        {description && <span className="muted small">{description}</span>}
      </div>
      <div className="vllm-catalog-action">
        {installed ? (
          <>
            <span className="chip chip-ok" data-testid="vllm-catalog-installed">
              {t('vllm.catalog.installed')}
            </span>
            <button
              type="button"
              className="btn btn-small"
              data-testid="vllm-catalog-use"
              onClick={() => onUse(installed.path)}
            >
              {t('vllm.catalog.use')}
            </button>
          </>
        ) : (
          <DownloadAction request={snapshotRequest(e)} job={job} installed={undefined} />
        )}
      </div>
    </li>
  );
}
