import type { QuantComparison } from '@shared/quant';
import { useQuantText } from '../../lib/useQuantText';
import { rowCells, sortRows } from './compare-view';
import { QuantRowView, type RowActions } from './QuantRowView';
import { useLng } from './useLng';

/** Every quantization side by side, most precise first; the reference and the running file marked. */
export function QuantsTable({ comparison, actions }: { comparison: QuantComparison; actions: RowActions }) {
  const t = useQuantText();
  const lng = useLng();
  if (comparison.rows.length === 0) return <p className="muted">{t('compare.empty')}</p>;
  return (
    <div className="qz-table-wrap">
      <table className="qz-table" data-testid="quants-table">
        <thead>
          <tr>
            <th>{t('compare.col.quant')}</th>
            <th className="num">{t('compare.col.size')}</th>
            <th>{t('compare.col.fit')}</th>
            <th className="num">{t('compare.col.speed')}</th>
            <th className="num">{t('compare.col.ppl')}</th>
            <th className="num">{t('compare.col.kld')}</th>
            <th className="num">{t('compare.col.sameTop')}</th>
            <th>{t('compare.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {sortRows(comparison.rows).map((row, i) => (
            <QuantRowView
              key={`${row.quant}/${row.availability}/${row.path ?? row.makeFrom ?? i}`}
              row={row}
              cells={rowCells(row, comparison.reference, lng)}
              actions={actions}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
