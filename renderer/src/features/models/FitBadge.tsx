import { useTranslation } from 'react-i18next';
import type { FitPlan } from '@shared/models';
import { formatDecimal } from '../../lib/format';
import { gpuBlocks } from './fit';

/** Where the model runs, as a coloured pill (data-mode for tests and styling). */
export function FitBadge({ plan }: { plan: FitPlan }) {
  const { t } = useTranslation();
  const label =
    plan.mode === 'partial'
      ? t('models.mode.partial', { n: gpuBlocks(plan), total: plan.blockCount })
      : t(`models.mode.${plan.mode}`);
  return (
    <span className={`fit-badge fit-${plan.mode}`} data-testid="fit-badge" data-mode={plan.mode}>
      <span className="fit-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** The planner's reason in plain words; its params come from the core already formatted ("8.4 GB"). */
export function FitReason({ plan, className = 'fit-reason' }: { plan: FitPlan; className?: string }) {
  const { t } = useTranslation('fit');
  return (
    <p className={className} data-testid="fit-reason" data-code={plan.reason.code}>
      {t(plan.reason.code, { ...plan.reason.params })}
    </p>
  );
}

export function SpeedClass({ plan }: { plan: FitPlan }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  if (plan.speed === 'none') return <span className="speed speed-none">—</span>;
  const tps = plan.tokensPerSecond;
  return (
    <span
      className={`speed speed-${plan.speed}`}
      data-testid="speed-class"
      data-speed={plan.speed}
      title={t('models.speedTitle')}
    >
      <span className="speed-bars" aria-hidden="true">
        <i />
        <i />
        <i />
        <i />
      </span>
      {t(`models.speed.${plan.speed}`)}
      {tps != null && tps > 0 && (
        <span className="speed-tps">
          {/* Tiny models plan to absurd figures; past this the number says nothing. */}
          {tps >= 1000
            ? t('models.tpsOver', { n: formatDecimal(1000, lng, 0) })
            : t('models.tps', { n: formatDecimal(tps, lng, tps < 10 ? 1 : 0) })}
        </span>
      )}
    </span>
  );
}
