import { useTranslation } from 'react-i18next';
import type { DownloadJob } from '@shared/models';
import { formatBytes } from '../../lib/format';
import { durationParts } from './format';

/** Bytes, speed and time left in the UI language. */
export function useDownloadText() {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const bytes = (n: number) => formatBytes(n, lng);
  const duration = (seconds: number) => {
    const d = durationParts(seconds);
    return d.unit === 's'
      ? t('downloads.duration.s', { s: d.s })
      : d.unit === 'm'
        ? t('downloads.duration.m', { m: d.m, s: d.s })
        : t('downloads.duration.h', { h: d.h, m: d.m });
  };
  const figures = (job: DownloadJob) => {
    const parts = [t('downloads.bytes', { done: bytes(job.receivedBytes), total: bytes(job.totalBytes) })];
    if (job.state === 'downloading') {
      parts.push(t('downloads.speed', { speed: bytes(job.bytesPerSecond) }));
      parts.push(
        job.etaSeconds != null ? t('downloads.eta', { eta: duration(job.etaSeconds) }) : t('downloads.etaUnknown'),
      );
    }
    return parts;
  };
  return { bytes, duration, figures };
}
