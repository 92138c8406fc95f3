import { useTranslation } from 'react-i18next';
import type { ChatTimings } from '@shared/schemas';
import { formatCount, formatDecimal } from '../../lib/format';
import { useBackendText } from '../../lib/useBackendText';
import { specFigures } from './spec-stats';

/** The reply stats' speculative-decoding part: share of guesses kept and tokens per model pass (see spec-stats.ts). */
export function SpecStats({ timings }: { timings: ChatTimings | null }) {
  const { i18n } = useTranslation();
  const tb = useBackendText();
  const f = specFigures(timings);
  if (!f) return null;
  const lng = i18n.resolvedLanguage ?? 'en';
  const counts = { accepted: formatCount(f.accepted, lng), drafted: formatCount(f.drafted, lng) };
  return (
    <>
      <span className="dot-sep" aria-hidden="true" />
      <span title={tb('spec.stats.acceptedTitle', counts)} data-testid="reply-spec-accepted">
        {tb('spec.stats.accepted', {
          ...counts,
          rate: new Intl.NumberFormat(lng, { style: 'percent' }).format(f.rate),
        })}
      </span>
      <span className="dot-sep" aria-hidden="true" />
      <span title={tb('spec.stats.perPassTitle')} data-testid="reply-spec-per-pass">
        {tb('spec.stats.perPass', { x: formatDecimal(f.tokensPerPass, lng, 2) })}
      </span>
    </>
  );
}
