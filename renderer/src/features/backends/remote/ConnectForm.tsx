/**
 * "Connect to a server": address, optional API key and name; Check shows what the server is before anything is
 * saved, Add saves it (the key goes to the keychain or a 0600 file in the core). Changing a field drops the check
 * result and the trust, which belong to what was checked. Ticking "trust this certificate" checks again with the
 * fingerprint pinned, so the models of a self-signed server show at once.
 */
import { useId, useState } from 'react';
import type { RemoteCheck } from '@shared/backends';
import { useKindsText } from '../../../lib/useKindsText';
import { CheckResult } from './CheckResult';
import { useRemoteAdd, useRemoteCheck } from './queries';
import { canCheck, EMPTY_DRAFT, remoteInput, type RemoteDraft } from './remote-view';
import { RemoteError } from './RemoteError';

export function ConnectForm() {
  const t = useKindsText();
  const id = useId();
  const check = useRemoteCheck();
  const add = useRemoteAdd();
  const [draft, setDraft] = useState<RemoteDraft>(EMPTY_DRAFT);
  const [result, setResult] = useState<RemoteCheck | null>(null);
  const [trust, setTrust] = useState<string | null>(null);

  const edit = (patch: Partial<RemoteDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setResult(null);
    setTrust(null);
    check.reset();
    add.reset();
  };
  const runCheck = (fingerprint: string | null) => {
    add.reset();
    check.mutate(remoteInput(draft, fingerprint), { onSuccess: setResult, onError: () => setResult(null) });
  };
  const onTrust = (on: boolean) => {
    const fp = on ? (result?.certificate?.fingerprint256 ?? null) : null;
    setTrust(fp);
    runCheck(fp);
  };
  const busy = check.isPending || add.isPending;

  return (
    <form
      className="card remote-form"
      data-testid="remote-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (canCheck(draft) && !busy) runCheck(trust);
      }}
    >
      <h3 className="card-title">{t('remote.form.title')}</h3>
      <div className="form-grid">
        <div className="field remote-url-field">
          <label htmlFor={`${id}-url`}>{t('remote.form.url')}</label>
          <input
            id={`${id}-url`}
            className="input mono"
            data-testid="remote-url"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="http://192.168.1.20:11434"
            value={draft.url}
            onChange={(e) => edit({ url: e.target.value })}
          />
          <p className="hint">{t('remote.form.urlHint')}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-key`}>{t('remote.form.key')}</label>
          <input
            id={`${id}-key`}
            className="input mono"
            data-testid="remote-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={draft.apiKey}
            onChange={(e) => edit({ apiKey: e.target.value })}
          />
          <p className="hint">{t('remote.form.keyHint')}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('remote.form.name')}</label>
          <input
            id={`${id}-name`}
            className="input"
            data-testid="remote-name"
            type="text"
            maxLength={100}
            value={draft.name}
            onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))}
          />
          <p className="hint">{t('remote.form.nameHint')}</p>
        </div>
      </div>
      {result && (
        <CheckResult check={result} trusted={trust !== null} onTrust={onTrust} busy={busy} showError={!add.error} />
      )}
      {check.error && <RemoteError error={check.error} testId="remote-error" />}
      {add.error && <RemoteError error={add.error} testId="remote-error" />}
      <div className="card-actions">
        <button type="submit" className="btn" data-testid="remote-check" disabled={!canCheck(draft) || busy}>
          {check.isPending ? t('remote.form.checking') : t('remote.form.check')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="remote-add"
          disabled={!canCheck(draft) || busy}
          onClick={() => {
            // One error box at a time: a failed check's rejection gives way to the add's outcome.
            check.reset();
            add.mutate(remoteInput(draft, trust), {
              onSuccess: () => {
                setDraft(EMPTY_DRAFT);
                setResult(null);
                setTrust(null);
                check.reset();
              },
            });
          }}
        >
          {add.isPending ? t('remote.form.adding') : t('remote.form.add')}
        </button>
      </div>
    </form>
  );
}
