import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QuantPlan } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { formatBytes } from '../../lib/format';
import { useQuantText } from '../../lib/useQuantText';
import { ImatrixSection } from './ImatrixSection';
import { JobsList } from './JobsList';
import { MakeChecks } from './MakeChecks';
import { MakeTypeTable } from './MakeTypeTable';
import { buildRequest, imatrixTypes, initialForm, isLowBitSource, toggleType, type MakeForm } from './make-view';
import { Modal } from './Modal';
import { useQuantPlan, useQuantStart } from './queries';

/**
 * "Make a smaller version" of a library model: the plan (types from the bundled llama-quantize, sizes, fit, disk,
 * importance matrices) before anything runs, then quant.start; after the start, the jobs it queued, live.
 */
export function MakeDialog({ modelPath, onClose }: { modelPath: string; onClose: () => void }) {
  const t = useQuantText();
  const plan = useQuantPlan(modelPath);
  const start = useQuantStart();
  const started = start.data;
  return (
    <Modal testId="make-dialog" label={t('make.title')} onClose={onClose} busy={start.isPending}>
      <h2>{t('make.title')}</h2>
      {plan.error && <ErrorMessage error={plan.error} testId="make-error" />}
      {plan.isPending && <p className="muted">{t('make.loading')}</p>}
      {started ? (
        <>
          <p data-testid="make-started">{t('make.started')}</p>
          <JobsList filter={(j) => started.some((s) => s.id === j.id || s.after === j.id)} />
          <div className="quant-dialog-foot">
            <button type="button" className="btn btn-primary" data-testid="make-close" onClick={onClose}>
              {t('make.close')}
            </button>
          </div>
        </>
      ) : plan.data ? (
        <MakeBody plan={plan.data} start={start} onClose={onClose} />
      ) : (
        <div className="quant-dialog-foot">
          <button type="button" className="btn" data-testid="make-cancel" onClick={onClose}>
            {t('make.cancel')}
          </button>
        </div>
      )}
    </Modal>
  );
}

function MakeBody({
  plan,
  start,
  onClose,
}: {
  plan: QuantPlan;
  start: ReturnType<typeof useQuantStart>;
  onClose: () => void;
}) {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const [form, setForm] = useState<MakeForm>(() => initialForm(plan, lng));
  const lowBit = isLowBitSource(plan);
  const req = buildRequest(plan, form);
  const src = plan.source;
  return (
    <>
      <p className="small">
        {t('make.source', {
          name: src.name,
          type: src.fileType ?? t('make.typeUnknown'),
          size: formatBytes(src.sizeBytes, lng),
        })}
      </p>
      <p className="small muted">{t('make.intro')}</p>
      {lowBit && (
        <div className="make-warning" data-testid="make-warning" data-kind="requantize">
          <span>{t('make.lowBit', { type: src.fileType ?? t('make.typeUnknown') })}</span>
          <label className="switch-inline">
            <input
              type="checkbox"
              data-testid="make-allow-requantize"
              checked={form.allowRequantize}
              onChange={(e) => setForm({ ...form, allowRequantize: e.target.checked })}
            />{' '}
            {t('make.allowRequantize')}
          </label>
        </div>
      )}
      <MakeTypeTable
        options={plan.types}
        selected={form.selected}
        allowRequantize={form.allowRequantize}
        onToggle={(o, on) => setForm(toggleType(form, o, on))}
      />
      <ImatrixSection
        plan={plan}
        value={form.imatrix}
        required={imatrixTypes(plan, form)}
        onChange={(imatrix) => setForm({ ...form, imatrix })}
      />
      <MakeChecks plan={plan} form={form} />
      {start.error && <ErrorMessage error={start.error} testId="make-error" />}
      <div className="quant-dialog-foot">
        <button type="button" className="btn" data-testid="make-cancel" onClick={onClose}>
          {t('make.cancel')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="make-start"
          disabled={!req || start.isPending}
          onClick={() => req && start.mutate(req)}
        >
          {start.isPending ? t('make.starting') : t('make.start')}
        </button>
      </div>
    </>
  );
}
