import type { EvalTextId, QuantPlan } from '@shared/quant';
import { PathInput } from '../../components/PathInput';
import { useQuantText } from '../../lib/useQuantText';
import { hasImatrixFor, type MakeForm } from './make-view';

type Imatrix = MakeForm['imatrix'];

/** None / compute from a bundled text / an existing file; names the types that need one when "none" is chosen. */
export function ImatrixSection({
  plan,
  value,
  required,
  onChange,
}: {
  plan: QuantPlan;
  value: Imatrix;
  /** The chosen types that need an importance matrix. */
  required: string[];
  onChange: (v: Imatrix) => void;
}) {
  const t = useQuantText();
  const set = (patch: Partial<Imatrix>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="make-imatrix">
      <legend className="card-title">{t('make.imatrix.title')}</legend>
      <p className="small muted">{t('make.imatrix.hint')}</p>
      <label>
        <input
          type="radio"
          name="make-imatrix"
          data-testid="make-imatrix-none"
          checked={value.mode === 'none'}
          onChange={() => set({ mode: 'none' })}
        />
        {t('make.imatrix.none')}
      </label>
      <label>
        <input
          type="radio"
          name="make-imatrix"
          data-testid="make-imatrix-compute"
          checked={value.mode === 'compute'}
          disabled={plan.texts.length === 0}
          onChange={() => set({ mode: 'compute' })}
        />
        {t('make.imatrix.compute')}
        <select
          className="select select-small"
          aria-label={t('make.imatrix.computeText')}
          data-testid="make-imatrix-text"
          value={value.text}
          disabled={value.mode !== 'compute'}
          onChange={(e) => set({ text: e.target.value as EvalTextId })}
        >
          {plan.texts.map((x) => (
            <option key={x.id} value={x.id} title={`${x.title} (${x.license})`}>
              {t(`make.texts.${x.id}`)}
            </option>
          ))}
        </select>
        {value.mode === 'compute' && hasImatrixFor(plan, value.text) && (
          <span className="small muted">{t('make.imatrix.reused')}</span>
        )}
      </label>
      <label>
        <input
          type="radio"
          name="make-imatrix"
          data-testid="make-imatrix-file"
          checked={value.mode === 'file'}
          onChange={() => set({ mode: 'file' })}
        />
        {t('make.imatrix.file')}
      </label>
      {value.mode === 'file' && (
        <>
          <PathInput
            testId="make-imatrix-path"
            aria-label={t('make.imatrix.filePath')}
            placeholder={t('make.imatrix.filePlaceholder')}
            value={value.path}
            onValueChange={(path) => set({ path })}
          />
          {plan.imatrixFiles.length > 0 && (
            <div className="small">
              {t('make.imatrix.previous')}{' '}
              {plan.imatrixFiles.map((f) => (
                <button
                  key={f.path}
                  type="button"
                  className="btn btn-small mono"
                  title={f.path}
                  onClick={() => set({ path: f.path })}
                >
                  {f.name}
                </button>
              ))}
            </div>
          )}
        </>
      )}
      {value.mode === 'none' && required.length > 0 && (
        <p className="small make-note" data-testid="make-imatrix-required">
          {t('make.imatrix.required', { types: required.join(', ') })}
        </p>
      )}
    </fieldset>
  );
}
