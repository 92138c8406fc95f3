import { useTranslation } from 'react-i18next';
import type { QuantPlan } from '@shared/quant';
import { formatBytes } from '../../lib/format';
import { useQuantText } from '../../lib/useQuantText';
import { chosenOptions, diskVerdict, sizeTotal, startProblems, type MakeForm } from './make-view';

/** Disk space against the chosen types' total, and what still stops Start (said before anything runs). */
export function MakeChecks({ plan, form }: { plan: QuantPlan; form: MakeForm }) {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const total = sizeTotal(chosenOptions(plan, form));
  const verdict = diskVerdict(total.bytes, plan.freeDiskBytes);
  const problems = startProblems(plan, form);
  const p = {
    need: formatBytes(total.bytes, lng),
    free: plan.freeDiskBytes == null ? '' : formatBytes(plan.freeDiskBytes, lng),
    dir: plan.modelsDir,
  };
  const warn = verdict === 'short' || verdict === 'tight' || problems.includes('imatrix-file');
  return (
    <div className="make-checks small">
      {form.selected.length > 0 && (
        <p data-testid="make-disk" data-verdict={verdict}>
          {verdict === 'unknown' ? t('make.disk.needUnknownFree', p) : t('make.disk.need', p)}
          {total.unknown > 0 && <> {t('make.disk.someUnknown', { count: total.unknown })}</>}
        </p>
      )}
      {warn && (
        <div className="make-warning" data-testid="make-warning" data-kind={verdict === 'ok' ? 'imatrix-file' : 'disk'}>
          {verdict === 'short' && <span>{t('make.disk.short', p)}</span>}
          {verdict === 'tight' && <span>{t('make.disk.tight')}</span>}
          {problems.includes('imatrix-file') && <span>{t('make.imatrix.fileMissing')}</span>}
        </div>
      )}
      {problems.includes('nothing-selected') && <p className="muted">{t('make.nothingSelected')}</p>}
    </div>
  );
}
