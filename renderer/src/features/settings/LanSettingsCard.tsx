/**
 * Settings → LAN access (settings.api: lanEnabled, lanAddresses, lanPort, corsOrigins) with what the server really
 * does from api.status: listening or not, the URLs for clients, the certificate's fingerprint to pin, and the named
 * API keys those clients use.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import type { ApiStatus } from '@shared/contract-api';
import type { ApiSettings } from '@shared/schemas';
import { useClient } from '../../api/context';
import { useSettings, useUpdateSettings } from '../../api/queries';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { NumberField } from '../../components/NumberField';
import { SwitchRow } from '../../components/SwitchRow';
import { useLiveText } from '../../lib/useLiveText';
import { ApiKeysSection } from './ApiKeysSection';
import { addressChoices, ALL_INTERFACES, originsList, originsText, toggleAddress } from './lan-data';
import './lan.css';

const statusKey = ['api.status'] as const;

/** api.status, kept live by the `api.status` event (the same cache entry as the Ollama card's). */
function useApiStatus() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('api.status', (s) => qc.setQueryData<ApiStatus>(statusKey, s)), [client, qc]);
  return useQuery({ queryKey: statusKey, queryFn: () => client.call('api.status', {}), staleTime: Infinity });
}

export function LanSettingsCard() {
  const { data: settings } = useSettings();
  if (!settings) return null;
  return <LanForm saved={settings.api} />;
}

function LanForm({ saved }: { saved: ApiSettings }) {
  const tl = useLiveText();
  const id = useId();
  const client = useClient();
  const update = useUpdateSettings();
  const { data: status } = useApiStatus();
  const { data: interfaces } = useQuery({
    queryKey: ['api.interfaces'],
    queryFn: () => client.call('api.interfaces', {}),
    staleTime: 30_000,
  });
  const [port, setPort] = useState<number | null>(saved.lanPort);
  const [origins, setOrigins] = useState(originsText(saved.corsOrigins));
  // The switch flips at once; the saved value (settings.changed) confirms it or puts it back.
  const [enabled, setEnabled] = useState(saved.lanEnabled);
  // A change from elsewhere (another window, the API) replaces the drafts.
  const [seen, setSeen] = useState(saved);
  if (seen !== saved) {
    setSeen(saved);
    setPort(saved.lanPort);
    setOrigins(originsText(saved.corsOrigins));
    setEnabled(saved.lanEnabled);
  }
  const save = (patch: Partial<ApiSettings>) => update.mutate({ api: patch });
  const lan = status?.lan;
  const choices = addressChoices(saved.lanAddresses, interfaces ?? []);
  const all = saved.lanAddresses.includes(ALL_INTERFACES);
  const dirty = port !== saved.lanPort || originsText(originsList(origins)) !== originsText(saved.corsOrigins);

  return (
    <section className="card" data-testid="lan-settings">
      <h2 className="card-title">{tl('lan.title')}</h2>
      <p className="hint card-sub">{tl('lan.hint')}</p>
      <SwitchRow
        testId="lan-enabled"
        checked={enabled}
        onChange={(on) => {
          setEnabled(on);
          update.mutate({ api: { lanEnabled: on } }, { onError: () => setEnabled(saved.lanEnabled) });
        }}
        label={tl('lan.enable')}
      />
      <p className="hint" data-testid="lan-state">
        {!lan || !lan.enabled ? tl('lan.off') : lan.listening ? tl('lan.listening') : tl('lan.notListening')}
      </p>
      {lan?.error && <ErrorMessage error={lan.error} compact testId="lan-error" />}
      {lan?.listening && lan.urls.length > 0 && (
        <div className="lan-urls">
          <span className="hint">{tl('lan.urls')}</span>
          {lan.urls.map((u) => (
            <div className="command-row" key={u}>
              <code className="mono" data-testid="lan-url">
                {u}
              </code>
              <CopyButton text={`${u}/v1`} />
            </div>
          ))}
        </div>
      )}
      {lan?.fingerprint && (
        <div className="lan-fingerprint">
          <span className="hint">{tl('lan.fingerprint')}</span>
          <div className="command-row">
            <code className="mono" data-testid="lan-fingerprint">
              {lan.fingerprint}
            </code>
            <CopyButton text={lan.fingerprint} testId="lan-fingerprint-copy" />
          </div>
          <p className="hint">{tl('lan.fingerprintHint')}</p>
        </div>
      )}
      <div className="form-grid">
        <fieldset className="field lan-field">
          <legend>{tl('lan.addresses')}</legend>
          <div className="lan-addresses" data-testid="lan-addresses">
            <label>
              <input
                type="checkbox"
                checked={all}
                onChange={(e) =>
                  save({ lanAddresses: toggleAddress(saved.lanAddresses, choices, ALL_INTERFACES, e.target.checked) })
                }
              />
              <span>{tl('lan.allInterfaces')}</span>
            </label>
            {choices.map((c) => (
              <label key={c.address}>
                <input
                  type="checkbox"
                  checked={c.checked}
                  disabled={all}
                  onChange={(e) =>
                    save({ lanAddresses: toggleAddress(saved.lanAddresses, choices, c.address, e.target.checked) })
                  }
                />
                <span className="mono">{c.address}</span>
                {c.iface && <span className="hint">{c.iface}</span>}
              </label>
            ))}
            {interfaces && interfaces.length === 0 && <p className="hint">{tl('lan.noInterfaces')}</p>}
          </div>
          <p className="hint">{tl('lan.addressesHint')}</p>
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-port`}>{tl('lan.port')}</label>
          <NumberField id={`${id}-port`} testId="lan-port" value={port} min={1} max={65535} onChange={setPort} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-cors`}>{tl('lan.cors')}</label>
          <textarea
            id={`${id}-cors`}
            className="input mono"
            data-testid="lan-cors"
            rows={3}
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
          />
          <p className="hint">{tl('lan.corsHint')}</p>
        </div>
      </div>
      {update.error && <ErrorMessage error={update.error} compact />}
      <div className="card-actions">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="lan-save"
          disabled={port === null || update.isPending || !dirty}
          onClick={() => port !== null && save({ lanPort: port, corsOrigins: originsList(origins) })}
        >
          {tl('lan.save')}
        </button>
      </div>
      <ApiKeysSection />
    </section>
  );
}
