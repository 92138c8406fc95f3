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
import { SwitchRow } from '../../components/SwitchRow';
import { useBackendText } from '../../lib/useBackendText';
import '../model/recovery.css';

export function RecoverySettingsCard() {
  const { data: settings } = useSettings();
  if (!settings) return null;
  return <RecoverySettingsForm saved={settings.backend} />;
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
  // What this card shows and sends: the whole group each time. The core's settings.update (as of this writing)
  // replaces settings.backend with the patch and fills the rest with defaults, so a lone field would reset the others;
  // and sending the card's own state (not the last answer, which may lag a click behind) never undoes a click.
  const [shown, setShown] = useState(saved);
  const [hang, setHang] = useState<number | null>(saved.hangTimeoutS);
  const [minContext, setMinContext] = useState<number | null>(saved.minContext);
  // A change from elsewhere (another window, the API) replaces it, unless our own save is still on its way.
  const [seen, setSeen] = useState(saved);
  if (seen !== saved) {
    setSeen(saved);
    if (!update.isPending) {
      setShown(saved);
      setHang(saved.hangTimeoutS);
      setMinContext(saved.minContext);
    }
  }
  const save = (patch: Partial<BackendSettings>) => {
    const next = { ...shown, ...patch };
    setShown(next);
    update.mutate({ backend: next }, { onError: () => setShown(saved) });
  };
  const dirty = hang !== shown.hangTimeoutS || minContext !== shown.minContext;

  return (
    <section className="card" data-testid="recovery-settings">
      <h2 className="card-title">{tb('heal.settings.title')}</h2>
      <p className="hint card-sub">{tb('heal.settings.hint')}</p>
      <div className="recovery-switches">
        <SwitchRow
          testId="recovery-auto-restart"
          checked={shown.autoRestart}
          onChange={(autoRestart) => save({ autoRestart })}
          label={tb('heal.settings.autoRestart')}
        />
        <SwitchRow
          testId="recovery-oom-ladder"
          checked={shown.oomLadder}
          onChange={(oomLadder) => save({ oomLadder })}
          label={tb('heal.settings.oomLadder')}
        />
        <div className="field recovery-reload">
          <label htmlFor={`${id}-reload`}>{tb('heal.settings.reloadLastModel')}</label>
          <select
            id={`${id}-reload`}
            className="select"
            data-testid="recovery-reload-last"
            value={reloadValue(shown.reloadLastModel)}
            onChange={(e) => save({ reloadLastModel: reloadSetting(e.target.value) })}
          >
            <option value="default">
              {!info
                ? tb('heal.settings.reloadDefault')
                : info.shell === 'browser'
                  ? tb('heal.settings.reloadDefaultOff')
                  : tb('heal.settings.reloadDefaultOn')}
            </option>
            <option value="on">{tb('heal.settings.on')}</option>
            <option value="off">{tb('heal.settings.off')}</option>
          </select>
        </div>
      </div>
      <div className="form-grid">
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
            setHang(shown.hangTimeoutS);
            setMinContext(shown.minContext);
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
