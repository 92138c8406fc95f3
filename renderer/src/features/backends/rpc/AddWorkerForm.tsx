/** Adds a worker by host and port (rpc.addWorker checks it at once); "host:port" pasted into the host field works. */
import { useId, useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { useKindsText } from '../../../lib/useKindsText';
import { useAddWorker } from './queries';
import { parseWorkerAddress } from './rpc-view';

const DEFAULT_PORT = '50052';

export function AddWorkerForm() {
  const t = useKindsText();
  const id = useId();
  const add = useAddWorker();
  const [host, setHost] = useState('');
  const [port, setPort] = useState(DEFAULT_PORT);
  const [tried, setTried] = useState(false);
  const parsed = parseWorkerAddress(host, port);
  const problem = tried && !parsed.ok ? parsed.problem : null;

  return (
    <form
      className="rpc-add"
      data-testid="rpc-add-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (!parsed.ok || add.isPending) return;
        add.mutate(
          { host: parsed.host, port: parsed.port },
          {
            onSuccess: () => {
              setHost('');
              setPort(DEFAULT_PORT);
              setTried(false);
            },
          },
        );
      }}
    >
      <div className="field rpc-add-host">
        <label htmlFor={`${id}-host`}>{t('rpc.workers.host')}</label>
        <input
          id={`${id}-host`}
          className="input mono"
          data-testid="rpc-host"
          type="text"
          autoComplete="off"
          spellCheck={false}
          placeholder="192.168.1.21"
          aria-invalid={problem === 'host'}
          value={host}
          onChange={(e) => {
            setHost(e.target.value);
            add.reset();
          }}
        />
      </div>
      <div className="field rpc-add-port">
        <label htmlFor={`${id}-port`}>{t('rpc.workers.port')}</label>
        <input
          id={`${id}-port`}
          className="input mono"
          data-testid="rpc-port"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          aria-invalid={problem === 'port'}
          value={port}
          onChange={(e) => {
            setPort(e.target.value);
            add.reset();
          }}
        />
      </div>
      <button type="submit" className="btn btn-primary" data-testid="rpc-add" disabled={add.isPending || !host.trim()}>
        {add.isPending ? t('rpc.workers.adding') : t('rpc.workers.add')}
      </button>
      <p className="hint rpc-add-hint">
        {problem === 'host'
          ? t('rpc.workers.badHost')
          : problem === 'port'
            ? t('rpc.workers.badPort')
            : t('rpc.workers.hostHint')}
      </p>
      {add.error && <ErrorMessage error={add.error} compact testId="rpc-add-error" />}
    </form>
  );
}
