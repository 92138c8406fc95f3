import { useTranslation } from 'react-i18next';
import { EvalTextId, type WorkJob } from '@shared/quant';
import { formatBytes, formatDecimal } from '../../lib/format';
import { useQuantText } from '../../lib/useQuantText';
import { useDownloadText } from '../downloads/useDownloadText';
import { workFigures } from './work-view';

/** A work job in the UI language: what it is, its phase, and the figures under its bar. */
export function useWorkText() {
  const t = useQuantText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const { duration } = useDownloadText();

  const textName = (id: string) => {
    const p = EvalTextId.safeParse(id);
    return p.success ? t(`jobs.texts.${p.data}`) : id;
  };
  const target = (j: WorkJob) =>
    j.kind === 'quantize'
      ? t('jobs.target.quantize', { type: j.target })
      : t(`jobs.target.${j.kind}`, { text: textName(j.target) });

  const figures = (j: WorkJob): string[] => {
    const f = workFigures(j);
    const parts: string[] = [];
    if (j.state === 'running') parts.push(t(`jobs.phase.${j.phase}`));
    if (f.count)
      parts.push(
        f.count.unit === 'bytes'
          ? t('jobs.count.bytes', { done: formatBytes(f.count.done, lng), total: formatBytes(f.count.total, lng) })
          : t(`jobs.count.${f.count.unit}`, { done: f.count.done, total: f.count.total }),
      );
    if (f.speed)
      parts.push(
        t(`jobs.speed.${f.speed.unit}`, {
          n:
            f.speed.unit === 'bytes'
              ? formatBytes(f.speed.value, lng)
              : formatDecimal(f.speed.value, lng, f.speed.digits),
        }),
      );
    if (f.eta === 'unknown') parts.push(t('jobs.etaUnknown'));
    else if (f.eta != null) parts.push(t('jobs.eta', { eta: duration(f.eta) }));
    if (j.state === 'queued' && j.after) parts.push(t('jobs.waitsFor'));
    return parts;
  };

  const number = (n: number, digits: number) => formatDecimal(n, lng, digits);
  return { t, target, figures, number };
}
