import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SamplingParams, Settings } from '@shared/schemas';
import { useAppInfo, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { NumberField } from '../../components/NumberField';
import { UpdateSettingsCard } from '../updates/UpdateSettingsCard';
import { AddressCard } from './AddressCard';
import { OllamaSettingsCard } from './OllamaSettingsCard';
import { LanSettingsCard } from './LanSettingsCard';
import { WorkerMode } from '../backends/rpc/WorkerMode';
import { ChatSettingsCard } from './ChatSettingsCard';
import { RecoverySettingsCard } from './RecoverySettingsCard';
import { RuntimesSettings } from '../runtimes/RuntimesSettings';

export function SettingsPage() {
  const { t } = useTranslation();
  const { data: settings } = useSettings();
  const { data: info } = useAppInfo();
  const update = useUpdateSettings();
  const id = useId();

  if (!settings) return <div className="page page-narrow muted">{t('common.loading')}</div>;

  return (
    <div className="page page-narrow">
      {update.error && <ErrorMessage error={update.error} />}

      <section className="card">
        <h2 className="card-title">{t('settings.appearance')}</h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${id}-lang`}>{t('settings.language')}</label>
            <select
              id={`${id}-lang`}
              className="select"
              data-testid="settings-language"
              value={settings.language}
              onChange={(e) => update.mutate({ language: e.target.value as Settings['language'] })}
            >
              <option value="system">{t('settings.followSystem')}</option>
              <option value="en">{t('languages.en')}</option>
              <option value="zh-CN">{t('languages.zh-CN')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-theme`}>{t('settings.theme')}</label>
            <select
              id={`${id}-theme`}
              className="select"
              data-testid="theme-select"
              value={settings.theme}
              onChange={(e) => update.mutate({ theme: e.target.value as Settings['theme'] })}
            >
              <option value="system">{t('settings.followSystem')}</option>
              <option value="light">{t('settings.light')}</option>
              <option value="dark">{t('settings.dark')}</option>
            </select>
          </div>
        </div>
      </section>

      {/* Keyed by the saved value: a save (or a change from elsewhere) starts a fresh draft. */}
      <SamplingCard
        key={JSON.stringify(settings.sampling)}
        sampling={settings.sampling}
        onSave={(sampling) => update.mutate({ sampling })}
        saving={update.isPending}
      />
      <ChatSettingsCard />
      <RuntimesSettings />
      <BackendCard
        key={settings.llamaServerPath ?? ''}
        path={settings.llamaServerPath}
        onSave={(p) => update.mutate({ llamaServerPath: p })}
        found={info?.backend}
      />

      <RecoverySettingsCard />

      <OllamaSettingsCard />
      <LanSettingsCard />
      <WorkerMode inSettings />

      <UpdateSettingsCard />

      {info?.apiBaseUrl && <AddressCard apiBaseUrl={info.apiBaseUrl} />}

      {info && (
        <section className="card">
          <h2 className="card-title">{t('settings.about')}</h2>
          <dl className="kv">
            <dt>{t('settings.version')}</dt>
            <dd>{info.version}</dd>
            <dt>{t('settings.platform')}</dt>
            <dd>
              {info.platform} / {info.arch}
            </dd>
            <dt>{t('settings.dataDir')}</dt>
            <dd className="mono">{info.dataDir}</dd>
            {info.apiBaseUrl && (
              <>
                <dt>{t('settings.apiBaseUrl')}</dt>
                <dd className="mono">{info.apiBaseUrl}</dd>
              </>
            )}
          </dl>
        </section>
      )}
    </div>
  );
}

function SamplingCard({
  sampling,
  onSave,
  saving,
}: {
  sampling: SamplingParams;
  onSave: (s: SamplingParams) => void;
  saving: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState(sampling);
  const dirty = JSON.stringify(draft) !== JSON.stringify(sampling);
  const set = (k: keyof SamplingParams, v: number | null) =>
    setDraft((d) => {
      const next = { ...d };
      if (v === null) delete next[k];
      else next[k] = v;
      return next;
    });
  return (
    <section className="card">
      <h2 className="card-title">{t('settings.sampling')}</h2>
      <p className="hint card-sub">{t('settings.samplingHint')}</p>
      <div className="form-grid cols-3">
        <div className="field">
          <label htmlFor={`${id}-temp`}>{t('settings.temperature')}</label>
          <NumberField
            id={`${id}-temp`}
            value={draft.temperature ?? null}
            min={0}
            max={5}
            step={0.05}
            integer={false}
            allowEmpty
            onChange={(v) => set('temperature', v)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-topp`}>{t('settings.topP')}</label>
          <NumberField
            id={`${id}-topp`}
            value={draft.top_p ?? null}
            min={0}
            max={1}
            step={0.01}
            integer={false}
            allowEmpty
            onChange={(v) => set('top_p', v)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-max`}>{t('settings.maxTokens')}</label>
          <NumberField
            id={`${id}-max`}
            value={draft.max_tokens ?? null}
            min={1}
            max={1_000_000}
            allowEmpty
            placeholder={t('settings.unlimited')}
            onChange={(v) => set('max_tokens', v)}
          />
        </div>
      </div>
      <div className="card-actions">
        <button type="button" className="btn" disabled={!dirty} onClick={() => setDraft(sampling)}>
          {t('common.reset')}
        </button>
        <button type="button" className="btn btn-primary" disabled={!dirty || saving} onClick={() => onSave(draft)}>
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}

function BackendCard({
  path,
  onSave,
  found,
}: {
  path: string | null;
  onSave: (p: string | null) => void;
  found: { found: boolean; path: string; variant: string | null } | undefined;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState(path ?? '');
  const next = draft.trim() === '' ? null : draft.trim();
  return (
    <section className="card">
      <h2 className="card-title">{t('settings.backend')}</h2>
      <div className="field">
        <label htmlFor={`${id}-bin`}>{t('settings.llamaServerPath')}</label>
        <input
          id={`${id}-bin`}
          className="input mono"
          data-testid="settings-llama-path"
          type="text"
          spellCheck={false}
          value={draft}
          placeholder={t('settings.llamaServerPathPlaceholder')}
          onChange={(e) => setDraft(e.target.value)}
        />
        {found && (
          <p className="hint">
            {found.found
              ? t('settings.backendFound', { path: found.path, variant: found.variant ?? '?' })
              : t('settings.backendMissing', { path: found.path })}
          </p>
        )}
      </div>
      <div className="card-actions">
        <button type="button" className="btn" disabled={path === null && draft === ''} onClick={() => onSave(null)}>
          {t('settings.useBundled')}
        </button>
        <button type="button" className="btn btn-primary" disabled={next === path} onClick={() => onSave(next)}>
          {t('common.save')}
        </button>
      </div>
    </section>
  );
}
