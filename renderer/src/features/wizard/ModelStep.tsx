import { useTranslation } from 'react-i18next';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatBytes, formatParams } from '../../lib/format';
import { formatContext, pickPlan } from '../models/fit';
import { FitBadge, FitReason, SpeedClass } from '../models/FitBadge';
import { useCatalog } from '../models/queries';
import { useRuntimes } from '../runtimes/queries';
import { UnusableGpu } from '../runtimes/UnusableGpu';
import { useWizard } from './store';
import { useChoice } from './useChoice';

/** The planner's pick for this machine, why, and a way to choose something else. */
export function ModelStep() {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const { data: catalog } = useCatalog();
  const { choice, loading, error } = useChoice();
  const choose = useWizard((s) => s.choose);
  const runtimes = useRuntimes();

  return (
    <div className="wizard-body" data-testid="wizard-model">
      <h2 className="wizard-title">{t('wizard.model.title')}</h2>
      {/* Before any speed: the plan below is for the CPU because the runtime cannot use the GPU. */}
      {runtimes.data && <UnusableGpu list={runtimes.data} testId="wizard-model-gpu-unusable" />}
      {loading && <p className="muted">{t('wizard.model.planning')}</p>}
      {error ? <ErrorMessage error={error} compact /> : null}
      {choice && (
        <>
          <p className="muted">
            {choice.recommended
              ? t('wizard.model.hintRecommended')
              : choice.plan?.mode === 'none'
                ? t('wizard.model.hintNoFit')
                : t('wizard.model.hintChosen')}
          </p>
          <div
            className="wizard-pick"
            data-testid="wizard-recommended"
            data-model={choice.model.id}
            data-quant={choice.quant.id}
            data-recommended={choice.recommended}
          >
            <div className="wizard-pick-head">
              <div>
                <div className="eyebrow">
                  {choice.recommended ? t('wizard.model.recommended') : t('wizard.model.yourChoice')}
                </div>
                <h3 className="wizard-pick-name">{choice.model.name}</h3>
                <div className="muted small">
                  {formatParams(choice.model.parameters)} · {choice.model.license}
                </div>
              </div>
              {choice.plan && <FitBadge plan={choice.plan} />}
            </div>
            <dl className="facts">
              <div className="fact">
                <dt>{t('wizard.model.quant')}</dt>
                <dd className="mono">{choice.quant.id}</dd>
              </div>
              <div className="fact">
                <dt>{t('wizard.model.size')}</dt>
                <dd>{formatBytes(choice.quant.sizeBytes, lng)}</dd>
              </div>
              {choice.plan && (
                <div className="fact">
                  <dt>{t('wizard.model.context')}</dt>
                  <dd>{t('wizard.model.tokens', { ctx: formatContext(choice.plan.contextSize) })}</dd>
                </div>
              )}
              {choice.plan && (
                <div className="fact">
                  <dt>{t('wizard.model.speed')}</dt>
                  <dd>
                    <SpeedClass plan={choice.plan} />
                  </dd>
                </div>
              )}
            </dl>
            {choice.plan && <FitReason plan={choice.plan} />}
          </div>

          <details className="advanced wizard-other" open={!choice.recommended || undefined}>
            <summary>{t('wizard.model.other')}</summary>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="wizard-model-select">{t('wizard.model.model')}</label>
                <select
                  id="wizard-model-select"
                  className="select"
                  data-testid="wizard-model-select"
                  value={choice.model.id}
                  onChange={(e) => choose(e.target.value, null)}
                >
                  {catalog?.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="wizard-quant-select">{t('wizard.model.quant')}</label>
                <select
                  id="wizard-quant-select"
                  className="select"
                  data-testid="wizard-quant-select"
                  value={choice.quant.id}
                  onChange={(e) => choose(choice.model.id, e.target.value)}
                >
                  {choice.model.quants.map((q) => {
                    const p =
                      choice.fit && choice.plan ? pickPlan(choice.fit.plans, q.id, choice.plan.contextSize) : null;
                    return (
                      <option key={q.id} value={q.id}>
                        {q.id} · {formatBytes(q.sizeBytes, lng)}
                        {p
                          ? ` · ${p.mode === 'partial' ? t('models.mode.partial', { n: Math.min(p.gpuLayers, p.blockCount), total: p.blockCount }) : t(`models.mode.${p.mode}`)}`
                          : ''}
                      </option>
                    );
                  })}
                </select>
              </div>
            </div>
          </details>
        </>
      )}
    </div>
  );
}
