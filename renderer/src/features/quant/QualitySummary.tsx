import type { QualityResult } from '@shared/quant';
import { useWorkText } from './useWorkText';

/** A finished quality check in one or two lines: perplexity (± its error), and KL-divergence vs the base when run. */
export function QualitySummary({ result, cached }: { result: QualityResult; cached: boolean }) {
  const { t, number } = useWorkText();
  const ppl = number(result.ppl, result.ppl < 100 ? 3 : 1);
  const k = result.kld;
  return (
    <div className="work-quality small" data-testid="work-quality">
      <span>
        {result.pplStdErr != null
          ? t('jobs.ppl', { ppl, err: number(result.pplStdErr, 3) })
          : t('jobs.pplNoErr', { ppl })}
      </span>
      {k && (
        <span>
          {t('jobs.kld', {
            base: k.baseType ?? k.basePath.split(/[\\/]/).pop() ?? k.basePath,
            kld: number(k.meanKld, 4),
            same: number(k.sameTopPct, 1),
            ratio: number(k.pplRatio, 3),
          })}
        </span>
      )}
      {cached && <span className="muted">{t('jobs.cached')}</span>}
    </div>
  );
}
