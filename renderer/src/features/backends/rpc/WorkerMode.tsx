/**
 * This machine as an RPC worker for DeepLocal on another computer: a switch (rpc.startWorkerMode /
 * rpc.stopWorkerMode) with where it listens, its port, the devices it offers and the tensor cache (saved as
 * settings.rpc.worker by the core), the no-authentication warning in words (stronger when it listens on a network),
 * the addresses to enter on the main computer, and its state and errors. Shown on the Backends page and in Settings.
 */
import { useId, useState } from 'react';
import type { RpcWorkerMode, RpcWorkerModeSettings } from '@shared/backends';
import { useSettings } from '../../../api/queries';
import { CopyButton } from '../../../components/CopyButton';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { NumberField } from '../../../components/NumberField';
import { useKindsText } from '../../../lib/useKindsText';
import { useUi } from '../../../stores/ui';
import { useInterfaces, useStartWorkerMode, useStopWorkerMode, useWorkerMode } from './queries';
import { devicesText, hostChoices, isLoopback, parseDevices } from './rpc-view';
import '../backends.css';

export function WorkerMode({ inSettings = false }: { inSettings?: boolean }) {
  const t = useKindsText();
  const { data: settings } = useSettings();
  const { data: mode } = useWorkerMode();
  const setView = useUi((s) => s.setView);
  return (
    <section className="card rpc-mode" data-testid="rpc-worker-mode-card">
      <h3 className="card-title">{t('rpc.mode.title')}</h3>
      <p className="hint card-sub">{t('rpc.mode.hint')}</p>
      {settings && <WorkerModeForm saved={settings.rpc.worker} mode={mode} />}
      {inSettings && (
        <p className="hint">
          <a
            href="#/backends"
            onClick={(e) => {
              e.preventDefault();
              setView('backends');
            }}
          >
            {t('rpc.mode.settingsLink')}
          </a>
        </p>
      )}
    </section>
  );
}

function WorkerModeForm({ saved, mode }: { saved: RpcWorkerModeSettings; mode: RpcWorkerMode | undefined }) {
  const t = useKindsText();
  const id = useId();
  const start = useStartWorkerMode();
  const stop = useStopWorkerMode();
  const { data: interfaces } = useInterfaces();
  const [host, setHost] = useState(saved.host);
  const [port, setPort] = useState<number | null>(saved.port);
  const [devices, setDevices] = useState(devicesText(saved.devices));
  const [cache, setCache] = useState(saved.cache);
  // A change from elsewhere (another window, the CLI) replaces the drafts; other settings changing does not.
  const savedKey = JSON.stringify(saved);
  const [seen, setSeen] = useState(savedKey);
  if (seen !== savedKey) {
    setSeen(savedKey);
    setHost(saved.host);
    setPort(saved.port);
    setDevices(devicesText(saved.devices));
    setCache(saved.cache);
  }
  const parsed = parseDevices(devices);
  const on = mode?.state === 'running' || mode?.state === 'starting';
  const busy = start.isPending || stop.isPending;
  const valid = port !== null && parsed.ok;
  const input = () => ({ host, port: port ?? saved.port, devices: parsed.ok ? parsed.devices : [], cache });
  const changed =
    host !== saved.host ||
    port !== saved.port ||
    cache !== saved.cache ||
    (parsed.ok && devicesText(parsed.devices) !== devicesText(saved.devices));
  const exposed = on && mode ? mode.exposed : !isLoopback(host);
  const shownHost = on && mode ? mode.host : host;
  const error = start.error ?? stop.error ?? mode?.error ?? null;

  return (
    <>
      <label className="switch-row">
        <input
          type="checkbox"
          className="switch"
          data-testid="rpc-worker-mode"
          checked={on}
          disabled={busy || (!on && !valid)}
          onChange={(e) => (e.target.checked ? start.mutate(input()) : stop.mutate())}
        />
        <span>{t('rpc.mode.switch')}</span>
      </label>
      <p className="hint" data-testid="rpc-worker-state" data-state={mode?.state ?? 'stopped'}>
        {t(`rpc.mode.state.${mode?.state ?? 'stopped'}`)}
        {mode?.pid != null && on ? ` · ${t('rpc.mode.pid', { pid: mode.pid })}` : ''}
      </p>
      <div
        className={exposed ? 'inline-note warn rpc-warning exposed' : 'inline-note rpc-warning'}
        role="note"
        data-testid="rpc-worker-warning"
        data-exposed={String(exposed)}
      >
        <span>{t('rpc.mode.warning')}</span>
        {exposed && <strong>{t('rpc.mode.exposedWarning', { host: shownHost })}</strong>}
      </div>
      {error && <ErrorMessage error={error} compact testId="rpc-worker-error" />}
      {on && mode && mode.addresses.length > 0 && (
        <div className="rpc-addresses" data-testid="rpc-worker-addresses">
          <span className="hint">{t('rpc.mode.addresses')}</span>
          {mode.addresses.map((a) => (
            <div className="command-row" key={a}>
              <code className="mono" data-testid="rpc-worker-address">
                {a}
              </code>
              <CopyButton text={a} />
            </div>
          ))}
        </div>
      )}
      <div className="form-grid rpc-mode-grid">
        <div className="field">
          <label htmlFor={`${id}-host`}>{t('rpc.mode.host')}</label>
          <select
            id={`${id}-host`}
            className="select"
            data-testid="rpc-worker-host"
            value={host}
            onChange={(e) => setHost(e.target.value)}
          >
            {hostChoices(saved.host, interfaces ?? []).map((c) => (
              <option key={c.host} value={c.host}>
                {c.kind === 'local'
                  ? t('rpc.mode.hostLocal', { host: c.host })
                  : c.kind === 'all'
                    ? t('rpc.mode.hostAll', { host: c.host })
                    : c.iface
                      ? t('rpc.mode.hostIface', { host: c.host, iface: c.iface })
                      : c.host}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-port`}>{t('rpc.mode.port')}</label>
          <NumberField id={`${id}-port`} testId="rpc-worker-port" value={port} min={1} max={65535} onChange={setPort} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-devices`}>{t('rpc.mode.devices')}</label>
          <input
            id={`${id}-devices`}
            className="input mono"
            data-testid="rpc-worker-devices"
            type="text"
            spellCheck={false}
            placeholder="CUDA0, Vulkan0"
            aria-invalid={!parsed.ok}
            value={devices}
            onChange={(e) => setDevices(e.target.value)}
          />
          <p className="hint">
            {parsed.ok ? t('rpc.mode.devicesHint') : t('rpc.mode.badDevices', { name: parsed.bad })}
          </p>
        </div>
        <label className="switch-row rpc-cache">
          <input
            type="checkbox"
            data-testid="rpc-worker-cache"
            checked={cache}
            onChange={(e) => setCache(e.target.checked)}
          />
          <span>{t('rpc.mode.cache')}</span>
        </label>
      </div>
      {on && changed && (
        <div className="card-actions">
          <button
            type="button"
            className="btn"
            data-testid="rpc-worker-apply"
            disabled={busy || !valid}
            onClick={() => stop.mutate(undefined, { onSuccess: () => start.mutate(input()) })}
          >
            {t('rpc.mode.apply')}
          </button>
        </div>
      )}
    </>
  );
}
