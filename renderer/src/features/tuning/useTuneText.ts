import { useTranslation } from 'react-i18next';
import type { LoadOptions } from '@shared/schemas';
import type { TuneConfig, TuneJob } from '@shared/tuning';
import { useBackendText } from '../../lib/useBackendText';
import { useDownloadText } from '../downloads/useDownloadText';
import type { OptionDiff } from './view';
import { configCells, formatTps } from './view';

/** Tune jobs, configurations and saved options in words, in the UI language. */
export function useTuneText() {
  const t = useBackendText();
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  const { duration } = useDownloadText();

  const onOff = (on: boolean) => (on ? t('tune.on') : t('tune.off'));

  const gpuLayers = (c: TuneConfig) => {
    const g = configCells(c).gpuLayers;
    return g.kind === 'all' ? t('tune.gpuAll') : g.kind === 'none' ? t('tune.gpuNone') : String(g.n);
  };

  /** "8 threads · all GPU layers · flash attention on · 2048 / 512 · f16", for the best configuration's line. */
  const config = (c: TuneConfig) => {
    const cells = configCells(c);
    return [
      `${t('tune.col.threads')} ${cells.threads}`,
      `${t('tune.col.gpuLayers')} ${gpuLayers(c)}`,
      `${t('tune.col.flashAttention')} ${onOff(cells.flashAttention)}`,
      `${t('tune.col.batch')} ${cells.batch}`,
      `${t('tune.col.cacheType')} ${cells.cacheType}`,
    ].join(' · ');
  };

  const tps = (v: number) => formatTps(v, lng);

  /** Phase, configurations measured and time left: "Measuring configurations · 3 of 6 configurations · 40 s left". */
  const figures = (job: TuneJob): string[] => {
    const parts: string[] = [t(`tune.phase.${job.phase}`)];
    if (job.total > 0) parts.push(t('tune.done', { done: job.done, total: job.total }));
    parts.push(job.mode === 'auto' ? t('tune.quickOf', { grid: job.gridSize }) : t('tune.fullOf'));
    if (job.state === 'running')
      parts.push(job.etaS !== null ? t('tune.eta', { eta: duration(job.etaS) }) : t('tune.etaUnknown'));
    return parts;
  };

  const optionValue = (d: OptionDiff): string => {
    const v = d.value;
    if (d.key === 'flashAttention') return v === 'on' ? t('tune.on') : v === 'off' ? t('tune.off') : t('tune.auto');
    if (d.key === 'gpuLayers') return v === 'all' ? t('tune.gpuAll') : v === 0 ? t('tune.gpuNone') : String(v);
    // Context sizes read best grouped (32,768); thread counts and batch sizes as llama.cpp spells them.
    if (typeof v === 'number') return d.key === 'contextSize' ? new Intl.NumberFormat(lng).format(v) : String(v);
    if (typeof v === 'string') return v;
    return '';
  };

  /** "threads 8", "GPU layers all"; a nested option (GPUs, speculative decoding) only as "changed". */
  const option = (d: OptionDiff) => {
    const name = t(`tune.option.${d.key satisfies keyof LoadOptions}`);
    return typeof d.value === 'object' && d.value !== null
      ? t('tune.option.changed', { name })
      : t('tune.option.value', { name, value: optionValue(d) });
  };

  const date = (ms: number) => new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

  return { t, lng, onOff, gpuLayers, config, tps, figures, option, date };
}
