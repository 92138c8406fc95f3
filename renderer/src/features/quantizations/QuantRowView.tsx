import { Fragment } from 'react';
import type { QuantRow } from '@shared/quant';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useQuantText } from '../../lib/useQuantText';
import { useLoadModel } from '../library/useLoadModel';
import { FitBadge } from '../models/FitBadge';
import { useStartDownload } from '../models/queries';
import { useQuantStart } from '../quant/queries';
import { badgePlan, type RowCells } from './compare-view';
import { useSwitchModel } from './queries';

export const QUANT_COLUMNS = 8;

export interface RowActions {
  /** A model runs (switching keeps its load options); otherwise an installed row offers Load. */
  canSwitch: boolean;
  onCheck: (path: string) => void;
  onMakeOptions: (sourcePath: string) => void;
  onSwitched: (quant: string) => void;
}

/** One quantization: its figures and the one-click action that fits (download, make, switch, check quality). */
export function QuantRowView({ row, cells, actions }: { row: QuantRow; cells: RowCells; actions: RowActions }) {
  const t = useQuantText();
  const download = useStartDownload();
  const make = useQuantStart();
  const switcher = useSwitchModel();
  const { load, error: loadError } = useLoadModel();
  const plan = badgePlan(row);
  const error = download.error ?? make.error ?? switcher.error ?? loadError;
  const dash = t('compare.none');
  return (
    <Fragment>
      <tr
        className={cells.running ? 'qz-row qz-row-running' : cells.reference ? 'qz-row qz-row-ref' : 'qz-row'}
        data-testid="quants-row"
        data-quant={row.quant}
        data-availability={row.availability}
        data-running={row.running ? 'true' : undefined}
        data-reference={cells.reference ? 'true' : undefined}
      >
        <td>
          <div className="mono qz-quant-id">{row.quant}</div>
          <div className="qz-quant">
            <span className="small muted">{t(`compare.availability.${row.availability}`)}</span>
            {cells.reference && <span className="chip">{t('compare.mark.reference')}</span>}
            {cells.running && <span className="chip chip-ok">{t('compare.mark.running')}</span>}
          </div>
        </td>
        <td className="num">{cells.size ?? dash}</td>
        <td>{plan ? <FitBadge plan={plan} /> : dash}</td>
        <td className="num" data-testid="quants-tps" data-source={cells.tps?.source}>
          {cells.tps ? (
            <>
              <div>{t(`compare.tps.${cells.tps.source}`, { n: cells.tps.n })}</div>
              <div className="small muted">{t(`compare.tpsSource.${cells.tps.source}`)}</div>
            </>
          ) : (
            dash
          )}
        </td>
        <td className="num" data-testid="quants-ppl">
          {cells.ppl
            ? cells.ppl.err
              ? `${cells.ppl.value} ± ${cells.ppl.err}`
              : cells.ppl.value
            : t('compare.notMeasured')}
        </td>
        <td className="num">{cells.kld ?? dash}</td>
        <td className="num">{cells.sameTop ? t('compare.pct', { n: cells.sameTop }) : dash}</td>
        <td className="qz-actions-cell">
          <div className="qz-actions">
            {row.availability === 'installed' && row.path && (
              <>
                {!row.running &&
                  (actions.canSwitch ? (
                    <button
                      type="button"
                      className="btn btn-small btn-primary"
                      data-testid="quants-switch"
                      disabled={switcher.isPending}
                      onClick={() => switcher.mutate(row.path!, { onSuccess: () => actions.onSwitched(row.quant) })}
                    >
                      {switcher.isPending ? t('compare.switching') : t('compare.action.switch')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid="quants-load"
                      onClick={() => load(row.path!)}
                    >
                      {t('compare.action.load')}
                    </button>
                  ))}
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="quants-check"
                  onClick={() => actions.onCheck(row.path!)}
                >
                  {t('compare.action.check')}
                </button>
              </>
            )}
            {row.availability === 'download' && row.download && (
              <button
                type="button"
                className="btn btn-small"
                data-testid="quants-download"
                disabled={download.isPending || download.isSuccess}
                onClick={() => download.mutate(row.download!)}
              >
                {t('compare.action.download')}
              </button>
            )}
            {row.availability === 'make' && row.makeFrom && (
              <button
                type="button"
                className="btn btn-small"
                data-testid="quants-make"
                title={t('compare.makeFrom', { source: row.makeFrom })}
                disabled={make.isPending || make.isSuccess}
                onClick={() => make.mutate({ modelPath: row.makeFrom!, types: [row.quant] })}
              >
                {t('compare.action.make')}
              </button>
            )}
          </div>
        </td>
      </tr>
      {(error || download.isSuccess || make.isSuccess) && (
        <tr className="qz-row-note">
          <td colSpan={QUANT_COLUMNS}>
            {download.isSuccess && <p className="small">{t('compare.downloadStarted', { quant: row.quant })}</p>}
            {make.isSuccess && <p className="small">{t('compare.makeStarted', { quant: row.quant })}</p>}
            {error && <ErrorMessage error={error} compact />}
            {make.error && row.makeFrom && (
              <button type="button" className="btn btn-small" onClick={() => actions.onMakeOptions(row.makeFrom!)}>
                {t('compare.action.makeOptions')}
              </button>
            )}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
