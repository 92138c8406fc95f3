/**
 * One GPU's power limit: the limits it reports, a slider bounded by min..max with a watts field beside it,
 * presets, Apply and Reset. The outcome is what the GPU reports afterwards, not just what nvidia-smi answered.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { powerPresetNames, presetWatts } from '@shared/power-presets';
import type { PowerInfo, PowerResult, TelemetrySample } from '@shared/telemetry';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { CheckIcon } from '../../components/icons';
import { asErrorInfo } from '../../lib/errors';
import { useFormats } from '../monitor/format';
import { telemetryKeys, useLatestSample } from '../monitor/queries';
import { ClockLock } from './ClockLock';
import { advanceConfirmation, startConfirmation, type Confirmation } from './confirm';
import { PermissionCommand } from './PermissionCommand';

interface Live {
  ts: number;
  limitW: number | null;
}

/** The newest sample's enforced limit for this GPU; re-renders only when it (or, while confirming, the tick) changes. */
function useLiveLimit(gpu: number, everyTick: boolean): Live {
  return useLatestSample((s) => {
    const limitW = s?.gpus.find((g) => g.index === gpu)?.powerLimitW ?? null;
    return { ts: everyTick ? (s?.ts ?? 0) : 0, limitW };
  });
}

const parseWatts = (text: string): number | null => {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : null;
};

export function PowerGpuCard({ info }: { info: PowerInfo }) {
  const { t } = useTranslation();
  const f = useFormats();
  const client = useClient();
  const qc = useQueryClient();
  const id = useId();
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const live = useLiveLimit(info.index, confirm?.state === 'waiting');
  const current = live.limitW ?? info.currentLimitW;
  const [text, setText] = useState(() => {
    const start = info.userLimitW ?? info.currentLimitW ?? info.defaultLimitW;
    return start == null ? '' : String(Math.round(start));
  });

  // Each new sample moves a pending confirmation on (state derived from the previous render, not an effect).
  const [seenTs, setSeenTs] = useState(live.ts);
  if (live.ts !== seenTs) {
    setSeenTs(live.ts);
    if (confirm) setConfirm(advanceConfirmation(confirm, live));
  }

  const onApplied = (r: PowerResult, fallback: number | null) => {
    const target = r.appliedW ?? fallback;
    if (target == null) return setConfirm(null);
    // The core waits for a sample that shows the new limit; without one in time, the next samples may still.
    if (r.confirmed) return setConfirm({ ...startConfirmation(target, 0), state: 'confirmed', reported: target });
    // The newest sample may predate the change: only samples after it count.
    const newest = qc.getQueryData<TelemetrySample[]>(telemetryKeys.samples)?.at(-1)?.ts ?? 0;
    setConfirm(startConfirmation(target, newest));
  };
  const apply = useMutation({
    mutationFn: (watts: number) => client.call('power.setLimit', { gpu: info.index, watts }),
    onMutate: () => setConfirm(null),
    onSuccess: (r, watts) => onApplied(r, watts),
  });
  const reset = useMutation({
    mutationFn: () => client.call('power.resetLimit', { gpu: info.index }),
    onMutate: () => {
      setConfirm(null);
      apply.reset();
    },
    onSuccess: (r) => {
      if (info.defaultLimitW != null) setText(String(Math.round(info.defaultLimitW)));
      onApplied(r, info.defaultLimitW);
    },
  });
  const error = apply.error ?? reset.error;
  const code = error ? asErrorInfo(error).code : null;
  const busy = apply.isPending || reset.isPending;

  const min = info.minLimitW;
  const max = info.maxLimitW;
  const watts = parseWatts(text);
  const inRange = watts !== null && (min == null || watts >= min) && (max == null || watts <= max);
  const sliderValue = watts === null ? (current ?? min ?? 0) : Math.min(max ?? watts, Math.max(min ?? watts, watts));
  const unsupported = !info.supported || code === 'POWER_UNSUPPORTED';

  const w = (v: number | null) => (v == null ? '–' : t('power.watts', { value: f.num(v) }));

  return (
    <div className="power-gpu" data-testid="power-gpu" data-gpu={info.index}>
      <div className="power-gpu-head">
        <div className="power-gpu-name">
          <span className="eyebrow">{t('power.gpu', { index: info.index })}</span>
          <span className="power-gpu-model">{info.name}</span>
        </div>
        <dl className="power-stats">
          <div>
            <dt>{t('power.current')}</dt>
            <dd data-testid="power-current" className="mono">
              {w(current)}
            </dd>
          </div>
          <div>
            <dt>{t('power.default')}</dt>
            <dd className="mono">{w(info.defaultLimitW)}</dd>
          </div>
          <div>
            <dt>{t('power.range')}</dt>
            <dd className="mono">
              {min != null && max != null ? t('power.rangeValue', { min: f.num(min), max: f.num(max) }) : '–'}
            </dd>
          </div>
        </dl>
      </div>

      {info.guardLimitW != null && (
        <p className="inline-note warn">
          {t('power.guardHolding', { watts: f.num(info.guardLimitW), user: w(info.userLimitW ?? info.defaultLimitW) })}
        </p>
      )}

      {info.supported && (
        <>
          <div className="power-control">
            <label className="sr-only" htmlFor={`${id}-slider`}>
              {t('power.sliderLabel', { index: info.index })}
            </label>
            <input
              id={`${id}-slider`}
              className="range"
              type="range"
              data-testid="power-slider"
              min={min ?? 0}
              max={max ?? Math.max(current ?? 0, 1)}
              step={1}
              value={sliderValue}
              disabled={busy || min == null || max == null}
              onChange={(e) => setText(e.target.value)}
            />
            <div className="power-input-wrap">
              <input
                className={inRange || watts === null ? 'input input-narrow mono' : 'input input-narrow mono invalid'}
                type="number"
                inputMode="decimal"
                data-testid="power-input"
                aria-label={t('power.inputLabel')}
                aria-describedby={`${id}-range`}
                min={min ?? undefined}
                max={max ?? undefined}
                step={1}
                value={text}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && watts !== null && !busy) apply.mutate(watts);
                }}
              />
              <span className="unit">W</span>
            </div>
          </div>
          {watts !== null && !inRange && min != null && max != null && (
            <p className="hint text-warn" id={`${id}-range`}>
              {t('power.outOfRange', { min: f.num(min), max: f.num(max) })}
            </p>
          )}
          <div className="power-actions">
            <div className="segmented" role="group" aria-label={t('power.presetsLabel')}>
              {powerPresetNames.map((p) => {
                const v = presetWatts(p, info);
                return (
                  <button
                    key={p}
                    type="button"
                    className={
                      v !== null && watts !== null && Math.round(v) === Math.round(watts) ? 'seg active' : 'seg'
                    }
                    data-testid={`power-preset-${p}`}
                    disabled={v === null || busy}
                    title={v !== null ? w(v) : undefined}
                    onClick={() => v !== null && setText(String(Math.round(v)))}
                  >
                    {t(`power.presets.${p}`)}
                  </button>
                );
              })}
            </div>
            <div className="power-buttons">
              <button
                type="button"
                className="btn"
                data-testid="power-reset"
                disabled={busy}
                onClick={() => reset.mutate()}
              >
                {t('power.reset')}
              </button>
              <button
                type="button"
                className="btn btn-primary"
                data-testid="power-apply"
                disabled={busy || watts === null}
                onClick={() => watts !== null && apply.mutate(watts)}
              >
                {apply.isPending ? t('power.applying') : t('power.apply')}
              </button>
            </div>
          </div>
        </>
      )}

      {confirm && !error && <ConfirmLine confirm={confirm} />}
      {error && (
        <div className="power-error">
          <ErrorMessage error={error} testId="power-error" compact />
          {code === 'POWER_PERMISSION' && (
            <PermissionCommand command={String(asErrorInfo(error).params?.command ?? '')} />
          )}
        </div>
      )}
      {unsupported && <ClockLock gpu={info.index} />}
    </div>
  );
}

function ConfirmLine({ confirm }: { confirm: Confirmation }) {
  const { t } = useTranslation();
  const f = useFormats();
  if (confirm.state === 'confirmed')
    return (
      <p className="power-status ok" data-testid="power-confirmed" role="status">
        <CheckIcon size={15} />
        {t('power.confirmed', { watts: f.num(confirm.target) })}
      </p>
    );
  if (confirm.state === 'mismatch')
    return (
      <p className="power-status warn" role="status">
        {confirm.reported == null
          ? t('power.unconfirmed')
          : t('power.mismatch', { watts: f.num(confirm.reported), target: f.num(confirm.target) })}
      </p>
    );
  return (
    <p className="power-status" role="status">
      <span className="spinner spinner-inline" aria-hidden="true" />
      {t('power.waiting', { watts: f.num(confirm.target) })}
    </p>
  );
}
