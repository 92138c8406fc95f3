import type { QuantComparison } from '@shared/quant';
import { useQuantText } from '../../lib/useQuantText';
import { recommendationSentence } from './compare-view';
import { useLng } from './useLng';

/** The reference the figures are relative to, where downloads come from, and the one recommendation in words. */
export function QuantsSummary({ comparison }: { comparison: QuantComparison }) {
  const t = useQuantText();
  const lng = useLng();
  const rec = comparison.recommendation;
  return (
    <div className="qz-summary">
      <p className="small muted" data-testid="quants-reference" data-quant={comparison.reference?.quant}>
        {comparison.reference
          ? t('compare.reference', { quant: comparison.reference.quant })
          : t('compare.noReference')}
        {comparison.repo && ` ${t('compare.from', { repo: comparison.repo })}`}
      </p>
      <div className="qz-rec" data-testid="quants-recommendation" data-quant={rec?.quant} data-why={rec?.why}>
        <span className="qz-label">{t('compare.recommendation')}</span>
        <span>{rec ? recommendationSentence(rec, t, lng) : t('compare.noRecommendation')}</span>
      </div>
    </div>
  );
}
