import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuntimeList } from '@shared/runtimes';
import { useAppInfo, useSettings, useUpdateSettings } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FolderIcon, RefreshIcon } from '../../components/icons';
import { PathInput } from '../../components/PathInput';
import { runtimeKeys, useAddRuntimeFolder, useRuntimeUpdate } from './queries';
import { useRuntimeText } from './useRuntimeText';
import './runtimes.css';

/** Where runtimes come from (the release endpoint, a mirror), automatic updates, and "look for a newer release". */
export function FeedSettings({ list }: { list: RuntimeList | undefined }) {
  const { t } = useRuntimeText();
  const { t: tc } = useTranslation();
  const id = useId();
  const { data: settings } = useSettings();
  const save = useUpdateSettings();
  const update = useRuntimeUpdate();
  const qc = useQueryClient();
  const saved = settings?.runtime.releaseEndpoint ?? '';
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? saved;
  const next = value.trim() === '' ? null : value.trim();
  if (!settings) return null;
  const r = update.data;
  return (
    <div className="runtime-feed" data-testid="runtime-feed">
      <h3 className="runtime-subtitle">{t('feed.title')}</h3>
      <div className="field">
        <label htmlFor={`${id}-ep`}>{t('feed.endpoint')}</label>
        <div className="runtime-inline">
          <input
            id={`${id}-ep`}
            className="input mono"
            data-testid="runtime-endpoint"
            type="url"
            spellCheck={false}
            placeholder="https://api.github.com"
            value={value}
            onChange={(e) => setDraft(e.target.value)}
          />
          <button
            type="button"
            className="btn"
            data-testid="runtime-endpoint-save"
            disabled={next === (settings.runtime.releaseEndpoint ?? null) || save.isPending}
            onClick={() =>
              save.mutate(
                { runtime: { releaseEndpoint: next } },
                {
                  onSuccess: () => {
                    setDraft(null);
                    // The offers and the endpoint shown come from the feed now in use.
                    void qc.invalidateQueries({ queryKey: runtimeKeys.available });
                    void qc.invalidateQueries({ queryKey: runtimeKeys.list });
                  },
                },
              )
            }
          >
            {tc('common.save')}
          </button>
        </div>
        <p className="hint">{t('feed.endpointHint')}</p>
        {list && (
          <p className="hint mono" data-testid="runtime-endpoint-in-use">
            {t('feed.inUse', { endpoint: list.releaseEndpoint })} · {t('feed.pinned', { tag: list.pinnedTag })}
          </p>
        )}
      </div>
      <label className="runtime-check-line">
        <input
          type="checkbox"
          data-testid="runtime-autoupdate"
          checked={settings.runtime.autoUpdate}
          onChange={(e) => save.mutate({ runtime: { autoUpdate: e.target.checked } })}
        />
        {t('feed.autoUpdate')}
      </label>
      <div className="runtime-inline">
        <button
          type="button"
          className="btn btn-small"
          data-testid="runtime-update-check"
          disabled={update.isPending}
          onClick={() => update.mutate(false)}
        >
          <RefreshIcon size={14} className={update.isPending ? 'spin' : undefined} />
          {t('feed.lookForUpdate')}
        </button>
        {r && !r.job && r.latest && (
          <span className="small" data-testid="runtime-update-result">
            {r.current && r.latest !== r.current
              ? t('feed.newer', { latest: r.latest, current: r.current })
              : t('feed.upToDate', { tag: r.latest })}
          </span>
        )}
        {r && !r.job && r.latest && r.latest !== r.current && (
          <button type="button" className="btn btn-small btn-primary" onClick={() => update.mutate(true)}>
            {t('feed.getUpdate', { latest: r.latest })}
          </button>
        )}
      </div>
      {save.error && <ErrorMessage error={save.error} compact />}
      {update.error && <ErrorMessage error={update.error} compact />}
    </div>
  );
}

/** "Add folder…": a folder holding a llama-server (a path typed here; the core checks it before adding). */
export function AddFolder() {
  const { t } = useRuntimeText();
  const id = useId();
  const { data: info } = useAppInfo();
  const add = useAddRuntimeFolder();
  const [open, setOpen] = useState(false);
  const [path, setPath] = useState('');
  if (!open)
    return (
      <button type="button" className="btn btn-small" data-testid="runtime-add-folder" onClick={() => setOpen(true)}>
        <FolderIcon size={14} />
        {t('folder.add')}
      </button>
    );
  const submit = () =>
    add.mutate(path.trim(), {
      onSuccess: () => {
        setOpen(false);
        setPath('');
      },
    });
  return (
    <div className="field runtime-folder">
      <label htmlFor={`${id}-dir`}>{t('folder.label')}</label>
      <div className="runtime-inline">
        <PathInput
          id={`${id}-dir`}
          testId="runtime-folder-path"
          value={path}
          onValueChange={setPath}
          placeholder={info?.platform === 'win32' ? t('folder.placeholderWin') : t('folder.placeholder')}
          busy={add.isPending}
          busyLabel={t('checking')}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && path.trim()) submit();
          }}
        />
        <button
          type="button"
          className="btn btn-primary"
          data-testid="runtime-folder-submit"
          disabled={!path.trim() || add.isPending}
          onClick={submit}
        >
          {t('folder.submit')}
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          {t('folder.cancel')}
        </button>
      </div>
      {add.error && <ErrorMessage error={add.error} testId="runtime-folder-error" compact />}
    </div>
  );
}
