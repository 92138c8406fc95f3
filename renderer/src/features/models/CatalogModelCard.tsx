import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogModel, DownloadJob, LibraryModel, ModelFit } from '@shared/models';
import { formatBytes, formatDecimal, formatParams } from '../../lib/format';
import { DownloadAction, findInstalled, findJob } from '../downloads/DownloadAction';
import { contextsOf, defaultContext, formatContext, pickPlan } from './fit';
import { FitBadge, FitReason, SpeedClass } from './FitBadge';

interface Props {
  model: CatalogModel;
  /** The wizard's pick across the whole catalog. */
  topPick: boolean;
  fit: ModelFit | undefined;
  fitLoading: boolean;
  library: LibraryModel[] | undefined;
  jobs: DownloadJob[] | undefined;
}

/** One catalog model: what it is, and per quant how it would run here, with its download. */
export function CatalogModelCard({ model, topPick, fit, fitLoading, library, jobs }: Props) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const description = model.descriptionI18n[lng] ?? model.description;
  const contexts = fit ? contextsOf(fit.plans) : [];
  const [picked, setPicked] = useState<number | null>(null);
  const [expanded, setExpanded] = useState(false);
  const context = picked ?? defaultContext(fit);
  const rec = fit?.recommended ?? null;
  const moe = model.activeParameters < model.parameters;
  const rows = model.quants.map((q) => ({
    q,
    job: findJob(jobs, (j) => j.catalogId === model.id && j.quant === q.id),
    installed: findInstalled(library, q.files[0]!),
  }));
  // Collapsed, a card shows the quant that matters: the recommendation (else the smallest), plus any being
  // downloaded or installed.
  const focus = rec?.quant ?? [...model.quants].sort((a, b) => a.sizeBytes - b.sizeBytes)[0]!.id;
  const shown = expanded
    ? rows
    : rows.filter((r) => r.q.id === focus || r.installed || (r.job && r.job.state !== 'failed'));

  return (
    <article className="card catalog-model" data-testid="catalog-model" data-id={model.id}>
      <header className="catalog-head">
        <div className="catalog-title">
          <h3>
            {model.name}
            {topPick && (
              <span className="chip chip-accent" data-testid="top-pick">
                {t('models.topPick')}
              </span>
            )}
          </h3>
          <div className="catalog-meta muted small">
            <span>
              {moe
                ? t('models.paramsMoe', {
                    total: formatParams(model.parameters),
                    active: formatParams(model.activeParameters),
                  })
                : t('models.params', { total: formatParams(model.parameters) })}
            </span>
            <span>{t('models.trained', { ctx: formatContext(model.arch.contextLength) })}</span>
            <span>
              {model.licenseUrl ? (
                <a href={model.licenseUrl} target="_blank" rel="noreferrer noopener">
                  {model.license}
                </a>
              ) : (
                model.license
              )}
            </span>
            {model.tags.map((tag) => (
              <span key={tag} className="chip">
                {t(`models.tags.${tag}`, { defaultValue: tag })}
              </span>
            ))}
          </div>
          {description && <p className="catalog-desc">{description}</p>}
        </div>
        {contexts.length > 1 && context != null && (
          <label className="catalog-context">
            <span className="small muted">{t('models.contextLabel')}</span>
            <select
              className="select select-small"
              data-testid="context-select"
              value={context}
              onChange={(e) => setPicked(Number(e.target.value))}
            >
              {contexts.map((c) => (
                <option key={c} value={c}>
                  {formatContext(c)}
                  {rec?.contextSize === c ? ` · ${t('models.recommendedShort')}` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>

      {rec ? (
        <p className="catalog-rec small" data-testid="catalog-recommended">
          <span className="rec-star" aria-hidden="true">
            ★
          </span>
          {t('models.recommendedFor', { quant: rec.quant, ctx: formatContext(rec.contextSize) })}
        </p>
      ) : (
        fit && <p className="catalog-rec none small">{t('models.nothingFits')}</p>
      )}

      <div className="quant-table" role="table" aria-label={t('models.quantsOf', { name: model.name })}>
        <div className="quant-row quant-header" role="row">
          <span role="columnheader">{t('models.cols.quant')}</span>
          <span role="columnheader">{t('models.cols.size')}</span>
          <span role="columnheader">{t('models.cols.fit')}</span>
          <span role="columnheader">{t('models.cols.speed')}</span>
          <span role="columnheader" className="sr-only">
            {t('models.cols.action')}
          </span>
        </div>
        {shown.map(({ q, job, installed }) => {
          const plan = fit && context != null ? pickPlan(fit.plans, q.id, context) : null;
          const isRec = rec?.quant === q.id;
          return (
            <div
              key={q.id}
              className={isRec ? 'quant-row recommended' : 'quant-row'}
              role="row"
              data-testid="quant-row"
              data-quant={q.id}
              data-recommended={isRec}
            >
              <span className="quant-id" role="cell">
                <span className="mono">{q.id}</span>
                {isRec && <span className="chip chip-accent">{t('models.recommended')}</span>}
                {q.dynamic && (
                  <span className="chip" title={t('models.dynamicHint')}>
                    {t('models.dynamic')}
                  </span>
                )}
              </span>
              <span role="cell" className="quant-size">
                {formatBytes(q.sizeBytes, lng)}
                <span className="muted small">
                  {t('models.bits', { bits: formatDecimal(q.bitsPerWeight, lng, 1) })}
                </span>
              </span>
              <span role="cell" className="quant-fit">
                {plan ? (
                  <>
                    <FitBadge plan={plan} />
                    {plan.kvType !== 'f16' && (
                      <span className="muted small">{t('models.kv', { type: plan.kvType })}</span>
                    )}
                  </>
                ) : (
                  <span className="muted small">{fitLoading ? t('models.planning') : '—'}</span>
                )}
              </span>
              <span role="cell">{plan ? <SpeedClass plan={plan} /> : null}</span>
              <span role="cell" className="quant-action">
                <DownloadAction request={{ catalogId: model.id, quant: q.id }} job={job} installed={installed} />
              </span>
              {plan && <FitReason plan={plan} className="fit-reason quant-reason" />}
            </div>
          );
        })}
      </div>
      {rows.length > shown.length || expanded ? (
        <button
          type="button"
          className="link-btn quant-toggle"
          data-testid="quant-toggle"
          aria-expanded={expanded}
          onClick={() => setExpanded((x) => !x)}
        >
          {expanded ? t('models.fewer') : t('models.allQuants', { count: model.quants.length })}
        </button>
      ) : null}
    </article>
  );
}
