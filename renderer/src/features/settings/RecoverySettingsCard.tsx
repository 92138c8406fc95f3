/**
 * Settings → Crash recovery (settings.backend): restart automatically, the out-of-memory ladder, reload the last model
 * at start (null = the shell's default), the hang timeout and the ladder's smallest context.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BackendSettings } from '@shared/backend-options';
import { useAppInfo, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { NumberField } from '../../components/NumberField';
import { useBackendText } from '../../lib/useBackendText';
import '../model/recovery.css';

export function RecoverySettingsCard() {
  const { data: settings } = useSettings();
  if (!settings) return null;
  const b = settings.backend;
  // Keyed by the saved numbers: a save (or a change from elsewhere) starts a fresh draft; a switch does not.
  return <RecoverySettingsForm key={`${b.hangTimeoutS}/${b.minContext}`} saved={b} />;
}

/** The select's value for the tri-state: null is "default". */
const reloadValue = (v: boolean | null) => (v === null ? 'default' : v ? 'on' : 'off');
const reloadSetting = (v: string): boolean | null => (v === 'default' ? null : v === 'on');

function RecoverySettingsForm({ saved }: { saved: BackendSettings }) {
  const { t } = useTranslation();
  const tb = useBackendText();
  const id = useId();
  const { data: info } = useAppInfo();
  const update = useUpdateSettings();
  const save = (patch: Partial<BackendSettings>) => update.mutate({ backend: patch });
  const [hang, setHang] = useState<number | null>(saved.hangTimeoutS);
  const [minContext, setMinContext] = useState<number | null>(saved.minContext);
  const dirty = hang !== saved.hangTimeoutS || minContext !== saved.minContext;

  return (
    <section className="card" data-testid="recovery-settings">
      <h2 className="card-title">{tb('heal.settings.title')}</h2>
      <p className="hint card-sub">{tb('heal.settings.hint')}</p>
      <div className="recovery-switches">
        <label className="switch-row">
          <input
            type="checkbox"
            className="switch"
            data-testid="recovery-auto-restart"
            checked={saved.autoRestart}
            onChange={(e) => save({ autoRestart: e.target.checked })}
          />
          <span>{tb('heal.settings.autoRestart')}</span>
        </label>
        <label className="switch-row">
          <input
            type="checkbox"
            className="switch"
            data-testid="recovery-oom-ladder"
            checked={saved.oomLadder}
            onChange={(e) => save({ oomLadder: e.target.checked })}
          />
          <span>{tb('heal.settings.oomLadder')}</span>
        </label>
      </div>
      <div className="form-grid cols-3">
        <div className="field">
          <label htmlFor={`${id}-reload`}>{tb('heal.settings.reloadLastModel')}</label>
          <select
            id={`${id}-reload`}
            className="select"
            data-testid="recovery-reload-last"
            value={reloadValue(saved.reloadLastModel)}
            onChange={(e) => save({ reloadLastModel: reloadSetting(e.target.value) })}
          >
            <option value="default">
              {info?.shell === 'browser' ? tb('heal.settings.reloadDefaultOff') : tb('heal.settings.reloadDefaultOn')}
            </option>
            <option value="on">{tb('heal.settings.on')}</option>
            <option value="off">{tb('heal.settings.off')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-hang`}>{tb('heal.settings.hangTimeout')}</label>
          <NumberField id={`${id}-hang`} testId="recovery-hang" value={hang} min={5} max={600} onChange={setHang} />
          <p className="hint">{tb('heal.settings.hangTimeoutHint')}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-minctx`}>{tb('heal.settings.minContext')}</label>
          <NumberField
            id={`${id}-minctx`}
            testId="recovery-min-context"
            value={minContext}
            min={512}
            max={1_048_576}
            step={512}
            onChange={setMinContext}
          />
        </div>
      </div>
      {update.error && <ErrorMessage error={update.error} compact />}
      <div className="card-actions">
        <button
          type="button"
          className="btn"
          disabled={!dirty}
          onClick={() => {
            setHang(saved.hangTimeoutS);
            setMinContext(saved.minContext);
          }}
        >
          {t('common.reset')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="recovery-save"
          disabled={!dirty || hang === null || minContext === null || update.isPending}
          onClick={() => hang !== null && minContext !== null && save({ hangTimeoutS: hang, minContext })}
        >
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}
