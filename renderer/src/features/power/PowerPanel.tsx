/** Power limits per GPU, "re-apply at start", and the thermal guard, on the Monitor page beside the charts. */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '@shared/schemas';
import { useAppInfo, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { NumberField } from '../../components/NumberField';
import { useTelemetryStatus } from '../monitor/queries';
import { PowerGpuCard } from './PowerGpuCard';
import { usePowerStatus } from './queries';

export function PowerPanel() {
  const { t } = useTranslation();
  const { data: power, error, isLoading } = usePowerStatus();
  const { data: settings } = useSettings();
  const { data: telemetry } = useTelemetryStatus();
  const update = useUpdateSettings();
  const id = useId();
  // Switches show the new state at once, while the save is in flight (settings come back with the answer).
  const [reapply, setReapply] = useState<boolean | null>(null);
  const [guardOn, setGuardOn] = useState<boolean | null>(null);
  // No GPU at all: the Monitor already says why; an empty power card would only repeat it.
  if (telemetry?.gpuSource === 'none' && power?.length === 0) return null;
  return (
    <section className="card power-panel" aria-labelledby={`${id}-title`}>
      <h2 className="card-title" id={`${id}-title`}>
        {t('power.title')}
      </h2>
      <p className="hint card-sub">{t('power.hint')}</p>
      {error && <ErrorMessage error={error} compact />}
      {isLoading && <p className="muted">{t('common.loading')}</p>}
      {power && power.length === 0 && <p className="muted">{t('power.none')}</p>}
      <div className="power-list">
        {power?.map((info) => (
          <PowerGpuCard key={info.index} info={info} />
        ))}
      </div>
      {settings && power && power.length > 0 && (
        <div className="power-options">
          <label className="switch-row">
            <input
              type="checkbox"
              className="switch"
              data-testid="power-reapply"
              checked={reapply ?? settings.power.reapplyAtStart}
              onChange={(e) => {
                setReapply(e.target.checked);
                update.mutate({ power: { reapplyAtStart: e.target.checked } }, { onSettled: () => setReapply(null) });
              }}
            />
            <span>
              <span className="switch-label">{t('power.reapply')}</span>
              <span className="hint">{t('power.reapplyHint')}</span>
            </span>
          </label>
          <ThermalGuard
            key={JSON.stringify(settings.thermalGuard)}
            guard={settings.thermalGuard}
            enabled={guardOn ?? settings.thermalGuard.enabled}
            onSave={(g) => {
              if (g.enabled !== undefined) setGuardOn(g.enabled);
              update.mutate({ thermalGuard: g }, { onSettled: () => setGuardOn(null) });
            }}
            saving={update.isPending}
          />
          {update.error && <ErrorMessage error={update.error} compact />}
        </div>
      )}
    </section>
  );
}

type Guard = Settings['thermalGuard'];

/** Keyed by the saved settings: a save (or a change from another window) starts a fresh draft. */
function ThermalGuard({
  guard,
  enabled,
  onSave,
  saving,
}: {
  guard: Guard;
  enabled: boolean;
  onSave: (g: Partial<Guard>) => void;
  saving: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState({
    thresholdC: guard.thresholdC,
    holdSeconds: guard.holdSeconds,
    stepW: guard.stepW,
  });
  const dirty =
    draft.thresholdC !== guard.thresholdC || draft.holdSeconds !== guard.holdSeconds || draft.stepW !== guard.stepW;
  const set = (k: keyof typeof draft) => (v: number | null) => v !== null && setDraft((d) => ({ ...d, [k]: v }));
  // Each step changes the power limit: say up front when that means a prompt (or may be refused).
  const control = useAppInfo().data?.powerControl;
  return (
    <div className="guard">
      <label className="switch-row">
        <input
          type="checkbox"
          className="switch"
          data-testid="guard-enabled"
          checked={enabled}
          onChange={(e) => onSave({ enabled: e.target.checked })}
        />
        <span>
          <span className="switch-label">{t('power.guard.enable')}</span>
          <span className="hint">{t('power.guard.hint')}</span>
          {control && control !== 'direct' && (
            <span className="hint" data-testid="guard-rights" data-control={control}>
              {t(`power.guard.rights.${control}`)}
            </span>
          )}
        </span>
      </label>
      <div className="guard-fields">
        <div className="field">
          <label htmlFor={`${id}-thr`}>{t('power.guard.threshold')}</label>
          <NumberField
            id={`${id}-thr`}
            testId="guard-threshold"
            className="input input-narrow"
            value={draft.thresholdC}
            min={50}
            max={110}
            onChange={set('thresholdC')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-hold`}>{t('power.guard.hold')}</label>
          <NumberField
            id={`${id}-hold`}
            testId="guard-hold"
            className="input input-narrow"
            value={draft.holdSeconds}
            min={1}
            max={600}
            onChange={set('holdSeconds')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-step`}>{t('power.guard.step')}</label>
          <NumberField
            id={`${id}-step`}
            testId="guard-step"
            className="input input-narrow"
            value={draft.stepW}
            min={1}
            max={200}
            onChange={set('stepW')}
          />
        </div>
        <div className="guard-save">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="guard-save"
            disabled={!dirty || saving}
            onClick={() => onSave(draft)}
          >
            {t('common.save')}
          </button>
        </div>
      </div>
    </div>
  );
}
