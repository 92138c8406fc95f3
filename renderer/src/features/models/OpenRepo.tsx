import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadJob, GgufGroup, LibraryModel, RepoListing } from '@shared/models';
import { useClient } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { FileIcon } from '../../components/icons';
import { PathInput } from '../../components/PathInput';
import { formatBytes } from '../../lib/format';
import { DownloadAction, findInstalled, findJob } from '../downloads/DownloadAction';
import { hostOf } from '../downloads/format';
import { quantLabel } from './fit';
import { FitBadge, FitReason, SpeedClass } from './FitBadge';
import { modelKeys } from './queries';

/** Repos with this many model files or fewer have every header read at once; bigger ones on request. */
const AUTO_INSPECT_MAX = 4;

/** Any GGUF repo by id or URL: its model files with size, and fit read from each file's header (HTTP Range). */
export function OpenRepo({ library, jobs }: { library: LibraryModel[] | undefined; jobs: DownloadJob[] | undefined }) {
  const { t } = useTranslation();
  const client = useClient();
  const [draft, setDraft] = useState('');
  const [ref, setRef] = useState('');

  const listing = useQuery({
    queryKey: modelKeys.repo(ref),
    queryFn: () => client.call('models.openRepo', { ref }),
    enabled: ref !== '',
    retry: false,
    staleTime: 60_000,
  });

  const open = () => {
    const r = draft.trim();
    if (!r) return;
    if (r === ref) void listing.refetch();
    setRef(r);
  };

  const data = listing.data;
  const models = data?.groups.filter((g) => !g.auxiliary) ?? [];
  const aux = data?.groups.filter((g) => g.auxiliary) ?? [];

  return (
    <section className="card" data-testid="open-repo">
      <h2 className="card-title">{t('models.repo.title')}</h2>
      <p className="card-sub muted small">{t('models.repo.hint')}</p>
      <form
        className="path-row"
        onSubmit={(e) => {
          e.preventDefault();
          open();
        }}
      >
        <PathInput
          testId="repo-input"
          value={draft}
          placeholder={t('models.repo.placeholder')}
          aria-label={t('models.repo.label')}
          onValueChange={setDraft}
          busy={listing.isFetching}
          busyLabel={t('models.repo.opening')}
        />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="repo-open"
          disabled={!draft.trim() || listing.isFetching}
        >
          {listing.isFetching ? t('models.repo.opening') : t('models.repo.open')}
        </button>
      </form>
      {listing.error && (
        <div className="file-error">
          <ErrorMessage error={listing.error} testId="repo-error" />
        </div>
      )}
      {data && !listing.error && (
        <div className="repo-listing" data-testid="repo-listing">
          <div className="repo-head small">
            <span className="mono">{data.ref.repo}</span>
            <span className="muted">
              {t('models.repo.from', { endpoint: hostOf(data.endpoint.url) })}
              {data.commit ? ` · ${data.commit.slice(0, 8)}` : ''}
            </span>
            <span className="muted">{t('models.repo.count', { count: models.length })}</span>
          </div>
          {models.length === 0 && <p className="muted small">{t('models.repo.none')}</p>}
          <ul className="repo-files">
            {models.map((g) => (
              <RepoFileRow
                key={g.path}
                listing={data}
                group={g}
                auto={models.length <= AUTO_INSPECT_MAX}
                library={library}
                jobs={jobs}
              />
            ))}
          </ul>
          {/* Entries the hub listed under names that could escape the models folder: skipped, and said so. */}
          {data.skipped?.map((e, i) => (
            <ErrorMessage key={i} error={e} compact testId="repo-skipped" />
          ))}
          {aux.length > 0 && (
            <p className="muted small repo-aux">
              {t('models.repo.aux')}: <span className="mono">{aux.map((g) => g.path).join(', ')}</span>
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function RepoFileRow({
  listing,
  group,
  auto,
  library,
  jobs,
}: {
  listing: RepoListing;
  group: GgufGroup;
  auto: boolean;
  library: LibraryModel[] | undefined;
  jobs: DownloadJob[] | undefined;
}) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const [asked, setAsked] = useState(false);
  const ref = refOf(listing);
  const inspect = useQuery({
    queryKey: modelKeys.remote(ref, group.path),
    queryFn: () => client.call('models.inspectRemote', { ref, file: group.path }),
    enabled: auto || asked,
    retry: false,
    staleTime: 5 * 60_000,
  });
  const plan = inspect.data?.fit.recommended ?? inspect.data?.fit.plans[0] ?? null;
  const job = findJob(jobs, (j) => j.repo === listing.ref.repo && j.files[0]?.path === group.path);

  return (
    <li className="repo-file" data-testid="repo-file" data-path={group.path} data-quant={group.quant ?? ''}>
      <div className="repo-file-main">
        <FileIcon size={16} className="repo-file-icon" />
        <div className="repo-file-name">
          <span className="mono">{quantLabel(group.quant, group.path)}</span>
          <span className="muted small mono ellipsis" title={group.path}>
            {group.path}
            {group.files.length > 1 ? ` · ${t('models.repo.shards', { count: group.files.length })}` : ''}
          </span>
        </div>
        <span className="repo-file-size">{formatBytes(group.sizeBytes, i18n.resolvedLanguage ?? 'en')}</span>
        <span className="repo-file-fit">
          {plan ? (
            <>
              <FitBadge plan={plan} />
              <SpeedClass plan={plan} />
            </>
          ) : inspect.isFetching ? (
            <span className="muted small">{t('models.repo.checking')}</span>
          ) : inspect.error ? null : (
            <button type="button" className="btn btn-small" data-testid="repo-fit" onClick={() => setAsked(true)}>
              {t('models.repo.checkFit')}
            </button>
          )}
        </span>
        <span className="quant-action">
          <DownloadAction
            request={{ ref, file: group.path }}
            job={job}
            installed={findInstalled(library, group.path)}
          />
        </span>
      </div>
      {plan && <FitReason plan={plan} className="fit-reason repo-reason" />}
      {inspect.error && <ErrorMessage error={inspect.error} compact />}
    </li>
  );
}

/** A ref that names this repo on the hub it was listed from (a URL keeps a non-default endpoint). */
function refOf(listing: RepoListing): string {
  const { ref } = listing;
  if (ref.endpoint)
    return ref.hub === 'modelscope' ? `${ref.endpoint}/models/${ref.repo}` : `${ref.endpoint}/${ref.repo}`;
  if (ref.hub === 'modelscope') return `modelscope.cn/models/${ref.repo}`;
  return ref.revision !== 'main'
    ? `https://huggingface.co/${ref.repo}/tree/${encodeURIComponent(ref.revision)}`
    : ref.repo;
}
