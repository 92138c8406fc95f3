import { useTranslation } from 'react-i18next';
import type { QuantOption } from '@shared/quant';
import { formatBytes } from '../../lib/format';
import { useQuantText } from '../../lib/useQuantText';
import { blockedBy, isDescribed, sortOptions } from './make-view';

/** The types llama-quantize offers, each with what it is, its expected size and how it would run here. */
export function MakeTypeTable({
  options,
  selected,
  allowRequantize,
  onToggle,
}: {
  options: QuantOption[];
  selected: readonly string[];
  allowRequantize: boolean;
  onToggle: (o: QuantOption, on: boolean) => void;
}) {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return (
    <div className="make-scroll">
      <table className="make-types" aria-label={t('make.typesLabel')}>
        <thead>
          <tr>
            <th>{t('make.col.type')}</th>
            <th>{t('make.col.about')}</th>
            <th>{t('make.col.size')}</th>
            <th>{t('make.col.fit')}</th>
          </tr>
        </thead>
        <tbody>
          {sortOptions(options).map((o) => {
            const blocked = blockedBy(o, allowRequantize);
            return (
              <tr key={o.id} className={blocked ? 'blocked' : undefined} data-type={o.id}>
                <td>
                  <label className="make-type-label">
                    <input
                      type="checkbox"
                      data-testid={`make-type-${o.id}`}
                      checked={blocked === null && selected.includes(o.id)}
                      disabled={blocked !== null}
                      onChange={(e) => onToggle(o, e.target.checked)}
                    />
                    <span className="mono">{o.id}</span>
                  </label>
                </td>
                <td>
                  <TypeAbout o={o} />
                  {o.warnings.map((w) => (
                    <div key={w} className="small make-note" data-warning={w}>
                      {t(`make.warnings.${w}`)}
                    </div>
                  ))}
                </td>
                <td className="make-size" data-testid={`make-size-${o.id}`}>
                  {o.expectedBytes != null ? formatBytes(o.expectedBytes, lng) : t('make.sizeUnknown')}
                </td>
                <td>
                  <FitMode o={o} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function TypeAbout({ o }: { o: QuantOption }) {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const id = o.id;
  const own = isDescribed(id);
  return (
    <>
      <div>
        {isDescribed(id) ? t(`make.types.${id}`) : t(`make.family.${o.family}`)}
        {!own && o.bitsPerWeight != null && (
          <>
            {' '}
            {t('make.bits', { bits: new Intl.NumberFormat(lng, { maximumFractionDigits: 2 }).format(o.bitsPerWeight) })}
          </>
        )}
      </div>
      {o.toolNote.trim() && <div className="small muted">{t('make.toolNote', { note: o.toolNote.trim() })}</div>}
    </>
  );
}

/** Where the result would run (the Models page's pill colours); the planner's reason as its tooltip. */
function FitMode({ o }: { o: QuantOption }) {
  const t = useQuantText();
  const { t: tf } = useTranslation('fit');
  const mode = o.fit ?? 'unknown';
  return (
    <span
      className={`fit-badge fit-${mode}`}
      data-testid={`make-fit-${o.id}`}
      data-mode={mode}
      title={o.fitReason ? tf(o.fitReason.code, { ...o.fitReason.params }) : undefined}
    >
      <span className="fit-dot" aria-hidden="true" />
      {t(`make.fit.${mode}`)}
    </span>
  );
}
