import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HubSettings } from '@shared/models';
import { useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';

export const ENDPOINT_CHOICES = [
  'auto',
  'huggingface',
  'hf-mirror',
  'modelscope',
  'custom',
] as const satisfies readonly HubSettings['endpoint'][];

/** Where downloads come from (settings.hub.endpoint); every download follows it. */
export function MirrorSetting() {
  const { t } = useTranslation();
  const id = useId();
  const { data: settings } = useSettings();
  const update = useUpdateSettings();
  const hub = settings?.hub;
  const [custom, setCustom] = useState<string | null>(null);
  if (!hub) return null;
  const customValue = custom ?? hub.customEndpoint ?? '';
  const saveCustom = () => {
    const v = customValue.trim();
    if (v !== (hub.customEndpoint ?? '')) update.mutate({ hub: { customEndpoint: v || null } });
  };
  return (
    <div className="mirror-setting">
      <label htmlFor={`${id}-ep`} className="small muted">
        {t('models.mirror')}
      </label>
      <select
        id={`${id}-ep`}
        className="select select-small"
        data-testid="mirror-select"
        value={hub.endpoint}
        onChange={(e) => update.mutate({ hub: { endpoint: e.target.value as HubSettings['endpoint'] } })}
      >
        {ENDPOINT_CHOICES.map((c) => (
          <option key={c} value={c}>
            {t(`models.mirrors.${c}`)}
          </option>
        ))}
      </select>
      {hub.endpoint === 'custom' && (
        <input
          className="input input-small mono"
          data-testid="mirror-custom"
          type="url"
          spellCheck={false}
          placeholder="https://hf.example.com"
          aria-label={t('models.customEndpoint')}
          value={customValue}
          onChange={(e) => setCustom(e.target.value)}
          onBlur={saveCustom}
          onKeyDown={(e) => {
            if (e.key === 'Enter') saveCustom();
          }}
        />
      )}
      {update.error && <ErrorMessage error={update.error} compact />}
    </div>
  );
}
