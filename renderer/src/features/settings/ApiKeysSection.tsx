/**
 * Settings → LAN access → API keys: create one with a name (the key is shown once, with Copy and a warning), the
 * list (name, prefix, created, last used) kept live by `apiKeys.changed`, revoke after an inline confirmation.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiKeyInfo } from '@shared/contract-api';
import { useClient } from '../../api/context';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useLiveText } from '../../lib/useLiveText';

const keysKey = ['apiKeys.list'] as const;

function useApiKeys() {
  const client = useClient();
  const qc = useQueryClient();
  useEffect(() => client.on('apiKeys.changed', (list) => qc.setQueryData<ApiKeyInfo[]>(keysKey, list)), [client, qc]);
  return useQuery({ queryKey: keysKey, queryFn: () => client.call('apiKeys.list', {}), staleTime: Infinity });
}

export function ApiKeysSection() {
  const tl = useLiveText();
  const { i18n } = useTranslation();
  const id = useId();
  const client = useClient();
  const { data: keys } = useApiKeys();
  const [name, setName] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (n: string) => client.call('apiKeys.create', { name: n }),
    onSuccess: () => setName(''),
  });
  const revoke = useMutation({
    mutationFn: (keyId: string) => client.call('apiKeys.revoke', { id: keyId }),
    onSettled: () => setConfirming(null),
  });
  const made = create.data;
  const when = (t: number | null) => (t === null ? tl('lan.never') : new Date(t).toLocaleString(i18n.language));

  return (
    <div data-testid="api-keys">
      <h3 className="card-title">{tl('lan.keysTitle')}</h3>
      <p className="hint">{tl('lan.keysHint')}</p>
      {made && (
        <div className="api-key-new" data-testid="api-key-new" role="status">
          <strong>{tl('lan.createdTitle', { name: made.name })}</strong>
          <p className="hint">{tl('lan.createdWarning')}</p>
          <div className="command-row">
            <code className="mono" data-testid="api-key-value">
              {made.key}
            </code>
            <CopyButton text={made.key} testId="api-key-copy" />
            <button type="button" className="btn btn-small" onClick={() => create.reset()}>
              {tl('lan.done')}
            </button>
          </div>
        </div>
      )}
      <form
        className="api-key-create"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate(name.trim());
        }}
      >
        <label htmlFor={`${id}-name`} className="hint">
          {tl('lan.keyName')}
        </label>
        <input
          id={`${id}-name`}
          className="input"
          data-testid="api-key-name"
          maxLength={80}
          placeholder={tl('lan.keyNamePlaceholder')}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="api-key-create"
          disabled={!name.trim() || create.isPending}
        >
          {tl('lan.create')}
        </button>
      </form>
      {create.error && <ErrorMessage error={create.error} compact />}
      {revoke.error && <ErrorMessage error={revoke.error} compact />}
      {keys && keys.length === 0 && <p className="hint">{tl('lan.noKeys')}</p>}
      {keys && keys.length > 0 && (
        <table className="api-keys-table" data-testid="api-keys-table">
          <thead>
            <tr>
              <th>{tl('lan.colName')}</th>
              <th>{tl('lan.colKey')}</th>
              <th>{tl('lan.colCreated')}</th>
              <th>{tl('lan.colLastUsed')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row">
                <td>{k.name}</td>
                <td className="mono">{k.prefix}…</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>
                  {confirming === k.id ? (
                    <span className="command-row">
                      <span className="hint">{tl('lan.confirmRevoke', { name: k.name })}</span>
                      <button
                        type="button"
                        className="btn btn-small btn-danger"
                        data-testid="api-key-revoke-confirm"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate(k.id)}
                      >
                        {tl('lan.revoke')}
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => setConfirming(null)}>
                        {tl('lan.cancel')}
                      </button>
                    </span>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small btn-danger-ghost"
                      data-testid="api-key-revoke"
                      onClick={() => setConfirming(k.id)}
                    >
                      {tl('lan.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
