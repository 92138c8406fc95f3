import { useTranslation } from 'react-i18next';
import type { HardwareInput } from '@shared/models';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SparkIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { useUi } from '../../stores/ui';
import { CatalogModelCard } from './CatalogModelCard';
import { MirrorSetting } from './MirrorSetting';
import { OpenRepo } from './OpenRepo';
import { useCatalog, useDownloads, useFitReport, useLibrary } from './queries';

/** The DeepSeek catalog planned for this machine, any repo by URL, and the way back into the setup wizard. */
export function ModelsPage() {
  const { t } = useTranslation();
  const catalog = useCatalog();
  const fit = useFitReport();
  const { data: library } = useLibrary();
  const { data: jobs } = useDownloads();
  const setView = useUi((s) => s.setView);

  return (
    <div className="page page-wide">
      <section className="card models-intro">
        <div className="models-intro-text">
          <h2 className="card-title">{t('models.catalogTitle')}</h2>
          <p className="muted small">{t('models.catalogHint')}</p>
          {fit.data && <HardwareLine hw={fit.data.hardware} />}
        </div>
        <div className="models-intro-actions">
          <button type="button" className="btn" data-testid="run-wizard" onClick={() => setView('wizard')}>
            <SparkIcon size={15} />
            {t('models.runWizard')}
          </button>
          <MirrorSetting />
        </div>
      </section>

      <OpenRepo library={library} jobs={jobs} />

      {catalog.error && <ErrorMessage error={catalog.error} testId="catalog-error" />}
      {fit.error && <ErrorMessage error={fit.error} testId="fit-error" compact />}
      {catalog.isPending && <p className="muted">{t('common.loading')}</p>}
      <div className="catalog-list">
        {catalog.data?.map((m) => (
          <CatalogModelCard
            key={m.id}
            model={m}
            topPick={fit.data?.recommended?.modelId === m.id}
            fit={fit.data?.models.find((f) => f.modelId === m.id)}
            fitLoading={fit.isPending}
            library={library}
            jobs={jobs}
          />
        ))}
      </div>
    </div>
  );
}

/** What the plans assume: free VRAM per GPU and available RAM, as the planner saw them. */
export function HardwareLine({ hw }: { hw: HardwareInput }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const b = (n: number) => formatBytes(n, lng);
  return (
    <ul className="hw-line small" data-testid="hw-line">
      {hw.gpus.length ? (
        hw.gpus.map((g) => (
          <li key={g.index}>{t('models.hw.gpu', { name: g.name, free: b(g.freeBytes), total: b(g.totalBytes) })}</li>
        ))
      ) : (
        <li>{t('models.hw.noGpu')}</li>
      )}
      <li>{t('models.hw.ram', { available: b(hw.ramAvailableBytes), total: b(hw.ramTotalBytes) })}</li>
    </ul>
  );
}
