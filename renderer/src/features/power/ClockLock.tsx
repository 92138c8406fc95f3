/**
 * Laptop GPUs refuse a power limit but usually accept a range for the graphics clock (nvidia-smi -lgc), which
 * lowers power and heat the same way. Reset (-rgc) gives the driver its own range back.
 */
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { NumberField } from '../../components/NumberField';
import { asErrorInfo } from '../../lib/errors';
import { PermissionCommand } from './PermissionCommand';

export function ClockLock({ gpu }: { gpu: number }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = useId();
  const [minMHz, setMin] = useState<number | null>(210);
  const [maxMHz, setMax] = useState<number | null>(1500);
  const [done, setDone] = useState<string | null>(null);
  const lock = useMutation({
    mutationFn: (v: { minMHz: number; maxMHz: number }) => client.call('power.lockClocks', { gpu, ...v }),
    onMutate: () => {
      setDone(null);
      reset.reset();
    },
    onSuccess: (_r, v) => setDone(t('power.clocks.locked', { min: v.minMHz, max: v.maxMHz })),
  });
  const reset = useMutation({
    mutationFn: () => client.call('power.resetClocks', { gpu }),
    onMutate: () => {
      setDone(null);
      lock.reset();
    },
    onSuccess: () => setDone(t('power.clocks.resetDone')),
  });
  const error = lock.error ?? reset.error;
  const valid = minMHz !== null && maxMHz !== null && minMHz <= maxMHz;
  const busy = lock.isPending || reset.isPending;
  return (
    <div className="clock-lock" data-testid="power-clocks">
      <h4 className="subhead">{t('power.clocks.title')}</h4>
      <p className="hint">{t('power.clocks.hint')}</p>
      <div className="clock-row">
        <div className="field">
          <label htmlFor={`${id}-min`}>{t('power.clocks.min')}</label>
          <NumberField
            id={`${id}-min`}
            testId="power-lock-min"
            className="input input-narrow"
            value={minMHz}
            min={0}
            max={10000}
            onChange={setMin}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-max`}>{t('power.clocks.max')}</label>
          <NumberField
            id={`${id}-max`}
            testId="power-lock-max"
            className="input input-narrow"
            value={maxMHz}
            min={0}
            max={10000}
            onChange={setMax}
          />
        </div>
        <div className="clock-buttons">
          <button
            type="button"
            className="btn"
            data-testid="power-lock-reset"
            disabled={busy}
            onClick={() => reset.mutate()}
          >
            {t('power.clocks.reset')}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            data-testid="power-lock-apply"
            disabled={!valid || busy}
            onClick={() => valid && lock.mutate({ minMHz, maxMHz })}
          >
            {t('power.clocks.lock')}
          </button>
        </div>
      </div>
      {minMHz !== null && maxMHz !== null && minMHz > maxMHz && (
        <p className="hint text-warn">{t('power.clocks.order')}</p>
      )}
      {done && !error && (
        <p className="power-status ok" role="status">
          {done}
        </p>
      )}
      {error && (
        <div className="power-error">
          <ErrorMessage error={error} testId="power-clock-error" compact />
          {asErrorInfo(error).code === 'POWER_PERMISSION' && (
            <PermissionCommand command={String(asErrorInfo(error).params?.command ?? '')} />
          )}
        </div>
      )}
    </div>
  );
}
