/**
 * The live plan for the start form: the checkpoint as read, the fit in figures and as a bar (weights + KV cache +
 * reserve against the memory budget), the exact `vllm serve` command (the key never appears), what stops a start.
 */
import type { VllmPlan } from '@shared/backends';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { formatBytes, formatCount } from '../../../lib/format';
import { useKindsText } from '../../../lib/useKindsText';
import { useLng } from '../../quantizations/useLng';
import { CommandBox } from './VllmGuide';
import { displayCommand, fitBar } from './vllm-view';

export function VllmPlanView({ plan, stale }: { plan: VllmPlan; stale: boolean }) {
  const t = useKindsText();
  const lng = useLng();
  const { model, fit } = plan;
  const bar = fitBar(fit);
  const size = formatBytes(model.sizeBytes, lng);
  const tokens = (n: number) => t('vllm.plan.tokens', { n: formatCount(n, lng) });
  return (
    <div className={stale ? 'vllm-plan stale' : 'vllm-plan'} data-testid="vllm-plan" aria-busy={stale}>
      <p className="vllm-plan-model">
        <strong>{model.name}</strong>{' '}
        <span className="muted">
          {model.quantization
            ? t('vllm.plan.modelQuant', {
                arch: model.architecture,
                quant: model.quantization,
                size,
                shards: model.shards,
              })
            : t('vllm.plan.model', { arch: model.architecture, size, shards: model.shards })}
        </span>
      </p>
      <div className="vllm-fit" data-testid="vllm-fit" data-fits={String(fit.fits)}>
        <div className="vllm-fit-head">
          <span className={fit.fits ? 'chip chip-ok' : 'chip chip-bad'}>
            {fit.fits ? t('vllm.plan.fits') : t('vllm.plan.noFit')}
          </span>
        </div>
        <div className="vllm-bar" aria-hidden="true">
          <span className="vllm-bar-weights" style={{ width: `${bar.weights}%` }} />
          <span className="vllm-bar-kv" style={{ width: `${bar.kv}%` }} />
          <span className="vllm-bar-overhead" style={{ width: `${bar.overhead}%` }} />
          {bar.over && <span className="vllm-bar-budget" style={{ left: `${bar.budgetAt}%` }} />}
        </div>
        <dl className="kv vllm-fit-kv">
          <dt>
            <i className="vllm-key vllm-bar-weights" />
            {t('vllm.plan.weights')}
          </dt>
          <dd>{formatBytes(fit.weightsBytes, lng)}</dd>
          <dt>
            <i className="vllm-key vllm-bar-kv" />
            {t('vllm.plan.kv', { tokens: formatCount(fit.maxModelLen, lng) })}
          </dt>
          <dd>{formatBytes(fit.kvBytes, lng)}</dd>
          <dt>
            <i className="vllm-key vllm-bar-overhead" />
            {t('vllm.plan.overhead')}
          </dt>
          <dd>{formatBytes(fit.overheadBytes, lng)}</dd>
          <dt>{t('vllm.plan.budget', { share: `${Math.round(plan.options.gpuMemoryUtilization * 100)}%` })}</dt>
          <dd>{formatBytes(fit.budgetBytes, lng)}</dd>
          <dt>{t('vllm.plan.maxLen')}</dt>
          <dd>{tokens(plan.maxModelLen)}</dd>
          <dt>{t('vllm.plan.maxFitting')}</dt>
          <dd>{tokens(fit.maxFittingLen)}</dd>
          <dt>{t('vllm.plan.tp')}</dt>
          <dd>{plan.tensorParallelSize}</dd>
          {plan.reasoningParser && (
            <>
              <dt>{t('vllm.plan.reasoning')}</dt>
              <dd className="mono">{plan.reasoningParser}</dd>
            </>
          )}
        </dl>
      </div>
      {plan.command.length > 0 && (
        <div className="vllm-plan-cmd">
          <div className="vllm-label">{t('vllm.plan.command')}</div>
          <CommandBox text={displayCommand(plan.command)} testId="vllm-command" />
          <p className="muted small">{t('vllm.plan.keyHidden')}</p>
        </div>
      )}
      {plan.problems.map((p, i) => (
        <ErrorMessage key={`${i}-${p.code}`} error={p} compact testId="vllm-problem" />
      ))}
    </div>
  );
}
