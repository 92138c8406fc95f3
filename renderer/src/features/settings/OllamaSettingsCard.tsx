/**
 * Settings → Ollama-compatible API (settings.api: ollamaEnabled, ollamaPort, ollamaOrigins) and just-in-time loading
 * (jitEnabled, jitIdleMinutes), with what the server really does from api.status: listening or not, the port it
 * fell back to when the one asked for was taken, the address to paste into clients, the model loaded on request.
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

const statusKey = ['api.status'] as const;

/** api.status, kept live by the `api.status` event. */
function useApiStatusLive() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('api.status', (s) => qc.setQueryData<ApiStatus>(statusKey, s)), [client, qc]);
  return useQuery({ queryKey: statusKey, queryFn: () => client.call('api.status', {}), staleTime: Infinity });
}

const originsText = (list: readonly string[]) => list.join('\n');
const originsList = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 50);

export function OllamaSettingsCard() {
  const { data: settings } = useSettings();
  if (!settings) return null;
  return <OllamaForm saved={settings.api} />;
}

function OllamaForm({ saved }: { saved: ApiSettings }) {
  const tl = useLiveText();
  const id = useId();
  const update = useUpdateSettings();
  const { data: status } = useApiStatusLive();
  const [port, setPort] = useState<number | null>(saved.ollamaPort);
  const [origins, setOrigins] = useState(originsText(saved.ollamaOrigins));
  const [idle, setIdle] = useState<number | null>(saved.jitIdleMinutes);
  // A change from elsewhere (another window, the API) replaces the drafts.
  const [seen, setSeen] = useState(saved);
  if (seen !== saved) {
    setSeen(saved);
    setPort(saved.ollamaPort);
    setOrigins(originsText(saved.ollamaOrigins));
    setIdle(saved.jitIdleMinutes);
  }
  const save = (patch: Partial<ApiSettings>) => update.mutate({ api: patch });
  const o = status?.ollama;
  const url = o?.listening ? (o.urls[0] ?? null) : null;
  const jit = status?.jit;

  return (
    <section className="card" data-testid="ollama-settings">
      <h2 className="card-title">{tl('ollama.title')}</h2>
      <p className="hint card-sub">{tl('ollama.hint')}</p>
      <p className="hint" data-testid="ollama-no-key">
        {tl('ollama.noKey')}
      </p>
      <SwitchRow
        testId="ollama-enabled"
        checked={saved.ollamaEnabled}
        onChange={(ollamaEnabled) => save({ ollamaEnabled })}
        label={tl('ollama.enable')}
      />
      <p className="hint" data-testid="ollama-state">
        {!o || !o.enabled
          ? tl('ollama.off')
          : o.listening
            ? o.portFallback
              ? tl('ollama.fallback', { port: saved.ollamaPort })
              : tl('ollama.listening')
            : tl('ollama.notListening')}
      </p>
      {o?.error && <ErrorMessage error={o.error} compact />}
      {url && (
        <div className="command-row">
          <span className="hint">{tl('ollama.urlLabel')}</span>
          <code className="mono" data-testid="ollama-url">
            {url}
          </code>
          <CopyButton text={url} />
        </div>
      )}
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-port`}>{tl('ollama.port')}</label>
          <NumberField id={`${id}-port`} testId="ollama-port" value={port} min={1} max={65535} onChange={setPort} />
          <p className="hint">{tl('ollama.portHint')}</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-origins`}>{tl('ollama.origins')}</label>
          <textarea
            id={`${id}-origins`}
            className="input mono"
            data-testid="ollama-origins"
            rows={3}
            value={origins}
            onChange={(e) => setOrigins(e.target.value)}
          />
          <p className="hint">{tl('ollama.originsHint')}</p>
        </div>
      </div>
      <h3 className="card-title">{tl('ollama.jitTitle')}</h3>
      <p className="hint">{tl('ollama.jitHint')}</p>
      <SwitchRow
        testId="jit-enabled"
        checked={saved.jitEnabled}
        onChange={(jitEnabled) => save({ jitEnabled })}
        label={tl('ollama.jitEnable')}
      />
      <div className="field">
        <label htmlFor={`${id}-idle`}>{tl('ollama.jitIdle')}</label>
        <NumberField id={`${id}-idle`} testId="jit-idle" value={idle} min={0} max={1440} onChange={setIdle} />
      </div>
      {jit?.model && (
        <p className="hint" data-testid="jit-now">
          {jit.unloadAt
            ? tl('ollama.jitNow', { model: jit.model, time: new Date(jit.unloadAt).toLocaleTimeString() })
            : tl('ollama.jitNowStays', { model: jit.model })}
        </p>
      )}
      {update.error && <ErrorMessage error={update.error} compact />}
      <div className="card-actions">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="ollama-save"
          disabled={
            port === null ||
            idle === null ||
            update.isPending ||
            (port === saved.ollamaPort &&
              idle === saved.jitIdleMinutes &&
              originsText(originsList(origins)) === originsText(saved.ollamaOrigins))
          }
          onClick={() =>
            port !== null &&
            idle !== null &&
            save({ ollamaPort: port, jitIdleMinutes: idle, ollamaOrigins: originsList(origins) })
          }
        >
          {tl('ollama.save')}
        </button>
      </div>
    </section>
  );
}
