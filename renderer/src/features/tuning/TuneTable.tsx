import { Fragment } from 'react';
import type { TuneConfig, TuneRow } from '@shared/tuning';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon } from '../../components/icons';
import { useTuneText } from './useTuneText';
import { configCells, configKey, formatTpsStd, sameConfig, sortRows } from './view';

/**
 * Every configuration measured so far, best for chat first; failed ones last with their translated error; the best
 * (or the leader while the sweep runs) marked.
 */
export function TuneTable({
  rows,
  best,
}: {
  rows: readonly TuneRow[];
  best: { config: TuneConfig; final: boolean } | null;
}) {
  const text = useTuneText();
  const { t, lng } = text;
  return (
    <div className="tune-table-wrap">
      <table className="tune-table" data-testid="tune-table">
        <thead>
          <tr>
            <th>{t('tune.col.threads')}</th>
            <th>{t('tune.col.gpuLayers')}</th>
            <th>{t('tune.col.flashAttention')}</th>
            <th>{t('tune.col.batch')}</th>
            <th>{t('tune.col.cacheType')}</th>
            <th className="num">{t('tune.col.pp')}</th>
            <th className="num">{t('tune.col.tg')}</th>
          </tr>
        </thead>
        <tbody>
          {sortRows(rows, best?.config ?? null).map((r) => {
            const c = configCells(r.config);
            const isBest = best !== null && sameConfig(best.config, r.config);
            const bestLabel = best?.final ? t('tune.best') : t('tune.bestSoFar');
            return (
              <Fragment key={configKey(r.config)}>
                <tr
                  className={isBest ? 'tune-row tune-row-best' : r.error ? 'tune-row tune-row-failed' : 'tune-row'}
                  data-testid="tune-row"
                  data-best={isBest ? (best.final ? 'final' : 'so-far') : undefined}
                  data-failed={r.error ? 'true' : undefined}
                >
                  <td className="mono">{c.threads}</td>
                  <td>{text.gpuLayers(r.config)}</td>
                  <td>{text.onOff(c.flashAttention)}</td>
                  <td className="mono">{c.batch}</td>
                  <td className="mono">{c.cacheType}</td>
                  {r.error ? (
                    <td colSpan={2} className="num">
                      {t('tune.rowFailed')}
                    </td>
                  ) : (
                    <>
                      <td className="num mono" data-testid="tune-pp">
                        {formatTpsStd(r.ppTps, r.ppStd, lng)}
                      </td>
                      <td className="num mono" data-testid="tune-tg">
                        {isBest && (
                          <span
                            className="tune-best-mark"
                            data-testid="tune-best-mark"
                            role="img"
                            aria-label={bestLabel}
                            title={bestLabel}
                          >
                            <CheckIcon size={13} />
                          </span>
                        )}
                        {formatTpsStd(r.tgTps, r.tgStd, lng)}
                      </td>
                    </>
                  )}
                </tr>
                {r.error && (
                  <tr className="tune-row-error">
                    <td colSpan={7}>
                      <ErrorMessage error={r.error} testId="tune-row-error" compact />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
