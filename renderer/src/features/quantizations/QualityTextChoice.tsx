import type { EvalTextId } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useQuantText } from '../../lib/useQuantText';
import { useEvalTexts } from './queries';

const IDS: readonly EvalTextId[] = ['en', 'zh-CN'];

/** English or Chinese evaluation text, each with where it comes from and its licence (from quality.texts). */
export function QualityTextChoice({
  value,
  disabled,
  onChange,
}: {
  value: EvalTextId;
  disabled: boolean;
  onChange: (v: EvalTextId) => void;
}) {
  const t = useQuantText();
  const texts = useEvalTexts();
  return (
    <fieldset className="qz-texts" disabled={disabled}>
      <legend className="qz-label">{t('quality.text')}</legend>
      {IDS.map((id) => {
        const info = texts.data?.find((x) => x.id === id);
        return (
          <label key={id} className="radio">
            <input
              type="radio"
              name="quality-text"
              value={id}
              checked={value === id}
              onChange={() => onChange(id)}
              data-testid={`quality-text-${id}`}
            />
            <span>
              <span className="radio-title">{t(`quality.texts.${id}`)}</span>
              {info && (
                <span className="small muted">
                  {t('quality.textSource', { title: info.title, source: info.source, license: info.license })}
                </span>
              )}
            </span>
          </label>
        );
      })}
      {texts.error && (
        <div className="qz-texts-error">
          <span className="small muted">{t('quality.textsFailed')}</span>
          <ErrorMessage error={texts.error} compact />
        </div>
      )}
    </fieldset>
  );
}
