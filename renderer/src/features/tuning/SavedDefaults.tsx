import type { LoadOptions } from '@shared/schemas';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useClearProfile, useProfile } from './queries';
import { useTuneText } from './useTuneText';
import { profileView } from './view';

/**
 * "Defaults for this model": where the saved options came from (the benchmark, a recovery, the user), those that
 * change something, and Forget; a profile whose file or machine changed says so and offers a new benchmark.
 */
export function SavedDefaults({
  modelPath,
  global,
  onBenchmark,
  canBenchmark,
}: {
  modelPath: string;
  global: LoadOptions | null;
  onBenchmark: () => void;
  canBenchmark: boolean;
}) {
  const text = useTuneText();
  const { t } = text;
  const answer = useProfile(modelPath);
  const clear = useClearProfile();
  if (answer.error) return <ErrorMessage error={answer.error} testId="tune-profile-error" compact />;
  if (!answer.data) return null;
  const view = profileView(answer.data, global);

  return (
    <div className="tune-profile" data-testid="tune-profile" data-kind={view.kind}>
      <span className="tune-profile-title">{t('tune.profile.title')}</span>
      {view.kind === 'none' && <span className="muted small">{t('tune.profile.none')}</span>}
      {view.kind === 'stale' && (
        <>
          <span className="tune-profile-stale small" data-testid="tune-profile-stale" data-why={view.why}>
            {t(`tune.profile.stale.${view.why}`)}
          </span>
          <button
            type="button"
            className="btn btn-small"
            data-testid="tune-profile-again"
            onClick={onBenchmark}
            disabled={!canBenchmark}
          >
            {t('tune.again')}
          </button>
        </>
      )}
      {view.kind === 'saved' && (
        <>
          <span className="badge tune-source" data-testid="tune-profile-source" data-source={view.profile.source}>
            {t(`tune.profile.source.${view.profile.source}`)}
          </span>
          <span className="small" data-testid="tune-profile-options">
            {view.diffs.length > 0 ? view.diffs.map(text.option).join(' · ') : t('tune.profile.same')}
          </span>
          <span className="muted small">
            {[
              view.profile.tune ? t('tune.profile.tuned', { tg: text.tps(view.profile.tune.tgTps) }) : null,
              t('tune.profile.savedAt', { date: text.date(view.profile.savedAt) }),
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
          <button
            type="button"
            className="btn btn-small"
            data-testid="tune-profile-forget"
            disabled={clear.isPending}
            onClick={() => clear.mutate(modelPath)}
          >
            {t('tune.profile.forget')}
          </button>
        </>
      )}
      {clear.error && <ErrorMessage error={clear.error} compact />}
    </div>
  );
}
