import { useTranslation } from 'react-i18next';
import type { EndpointProbe, HubSettings } from '@shared/models';
import { useSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RefreshIcon } from '../../components/icons';
import { hostOf } from '../downloads/format';
import { useHubProbe } from '../models/queries';
import { useWizard } from './store';
import { useChoice } from './useChoice';

/** Automatic by default (the fastest endpoint that answers); each endpoint with what the probe measured. */
export function MirrorStep() {
  const { t } = useTranslation();
  const { data: settings } = useSettings();
  const probe = useHubProbe();
  const { choice } = useChoice();
  const picked = useWizard((s) => s.endpoint) ?? settings?.hub.endpoint ?? 'auto';
  const setEndpoint = useWizard((s) => s.setEndpoint);
  const chosen = probe.data?.probes.find((p) => p.id === probe.data?.chosen) ?? null;
  const noModelscope = choice ? choice.model.modelscope === null : false;

  const option = (
    id: HubSettings['endpoint'],
    title: string,
    detail: React.ReactNode,
    p: EndpointProbe | null,
    disabled = false,
  ) => (
    <label
      key={id}
      className={picked === id ? 'mirror-option selected' : 'mirror-option'}
      data-testid="wizard-mirror-option"
      data-id={id}
      data-ok={p ? p.ok : undefined}
    >
      <input
        type="radio"
        name="wizard-mirror"
        value={id}
        checked={picked === id}
        disabled={disabled}
        onChange={() => setEndpoint(id)}
      />
      <span className="mirror-text">
        <span className="mirror-title">{title}</span>
        <span className="muted small">{detail}</span>
      </span>
      {p && (
        <span className={p.ok ? 'mirror-latency ok' : 'mirror-latency bad'} data-testid="wizard-mirror-latency">
          {p.ok && p.latencyMs != null
            ? t('wizard.mirror.latency', { ms: Math.round(p.latencyMs) })
            : t('wizard.mirror.unreachable')}
        </span>
      )}
    </label>
  );

  return (
    <div className="wizard-body" data-testid="wizard-mirror">
      <div className="wizard-title-row">
        <h2 className="wizard-title">{t('wizard.mirror.title')}</h2>
        <button
          type="button"
          className="btn btn-small"
          data-testid="wizard-mirror-reprobe"
          onClick={() => void probe.refetch()}
          disabled={probe.isFetching}
        >
          <RefreshIcon size={14} />
          {probe.isFetching ? t('wizard.mirror.probing') : t('wizard.mirror.reprobe')}
        </button>
      </div>
      <p className="muted">{t('wizard.mirror.hint')}</p>
      <div className="mirror-options" role="radiogroup" aria-label={t('wizard.mirror.title')}>
        {option(
          'auto',
          t('models.mirrors.auto'),
          probe.isPending
            ? t('wizard.mirror.probing')
            : chosen
              ? t('wizard.mirror.autoNow', { name: t(`models.mirrors.${chosen.id}`), host: hostOf(chosen.url) })
              : t('wizard.mirror.autoNone'),
          null,
        )}
        {probe.data?.probes.map((p) =>
          option(
            p.id,
            t(`models.mirrors.${p.id}`),
            p.id === 'modelscope' && noModelscope ? t('wizard.mirror.noModelscope') : hostOf(p.url),
            p,
            p.id === 'modelscope' && noModelscope,
          ),
        )}
      </div>
      {probe.error && <ErrorMessage error={probe.error} compact />}
    </div>
  );
}
