import type { QualityResult } from '@shared/quant';
import { useQuantText } from '../../lib/useQuantText';
import { durationText, measuredDate, qualityWords } from './quality-view';
import { useLng } from './useLng';

/**
 * A quality result in plain words: perplexity, and with KL-divergence how it compares with the reference. `cached`:
 * the answer was measured before (when and with which llama.cpp is said, so it is never mistaken for a new run).
 */
export function QualityResultView({ result, cached }: { result: QualityResult; cached: boolean }) {
  const t = useQuantText();
  const lng = useLng();
  const w = qualityWords(result, t, lng);
  return (
    <div className="qz-result" data-testid="quality-result" data-ppl={result.ppl} data-kld={result.kld?.meanKld}>
      <p className="qz-result-main">{w.ppl}</p>
      {w.comparison && <p className="qz-result-main">{w.comparison}</p>}
      {w.kld && (
        <p className="small muted">
          {w.kld} · {w.ratio}
        </p>
      )}
      <p className="small muted">
        {t('quality.result.settings', {
          text: t(`quality.texts.${result.text}`),
          chunks: result.chunks,
          context: result.contextSize,
          duration: durationText(result.seconds, t),
        })}
      </p>
      {cached && (
        <p className="small" data-testid="quality-cached" title={t('quality.cachedHint')}>
          {t('quality.cached', { date: measuredDate(result.measuredAt, lng), build: result.llamaBuild })}
        </p>
      )}
      <p className="small muted">{t('quality.result.lowerBetter')}</p>
    </div>
  );
}
