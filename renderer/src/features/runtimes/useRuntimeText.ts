import type { i18n } from 'i18next';
import { useTranslation } from 'react-i18next';
import { runtimeVariantLabels, type RuntimeInfo, type RuntimeJob, type RuntimeVariant } from '@shared/runtimes';
import type { RuntimeProblem, RuntimeReason } from '@shared/runtimes';
import type { BackendDevice } from '@shared/telemetry';
import type { RuntimeMessages } from '../../i18n/runtimes.en';
import { useDownloadText } from '../downloads/useDownloadText';
import { problemText, reasonText, runtimeOrigin } from './view';

const MiB = 1024 * 1024;

type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>;
}[keyof T & string];
/** A key of the `runtimes` namespace (renderer/src/i18n/runtimes.en.ts), checked here. */
export type RuntimeKey = Paths<RuntimeMessages>;

/**
 * The `runtimes` namespace, typed by our own key union rather than i18next's: adding the namespace to
 * i18next.d.ts pushes `ReturnType<typeof useTranslation>['t']` (StatusPill, chart-props) past TypeScript's
 * instantiation depth (TS2589). Same i18next lookup, fallback and interpolation at run time.
 */
function runtimeT(i18n: i18n) {
  const fixed = i18n.getFixedT(i18n.resolvedLanguage ?? null, 'runtimes' as never) as unknown as (
    key: string,
    params?: Record<string, string | number>,
  ) => string;
  return (key: RuntimeKey, params?: Record<string, string | number>): string => fixed(key, params);
}

/** Runtimes in words, in the UI language: names, origins, problems and reasons by code, devices, job figures. */
export function useRuntimeText() {
  const { i18n } = useTranslation();
  const t = runtimeT(i18n);
  const { t: tt } = useTranslation();
  const dl = useDownloadText();

  const variant = (v: RuntimeVariant) => runtimeVariantLabels[v];

  const origin = (r: Pick<RuntimeInfo, 'source' | 'tag' | 'commit'>) => {
    const o = runtimeOrigin(r);
    switch (o.kind) {
      case 'release':
        return t('origin.release', { tag: o.tag });
      case 'source':
        return o.commit ? t('origin.sourceCommit', { commit: o.commit }) : t('origin.source');
      case 'folder':
        return t('origin.folder');
      case 'bundled':
        return o.tag ? t('origin.bundledTag', { tag: o.tag }) : t('origin.bundled');
    }
  };

  /** "Vulkan · release b6123". */
  const name = (r: Pick<RuntimeInfo, 'variant' | 'source' | 'tag' | 'commit'>) =>
    `${variant(r.variant)} · ${origin(r)}`;

  // Codes are translated; params come from the core (library names, exit codes, output) and are shown as text.
  const problem = (p: RuntimeProblem) => problemText(i18n.resolvedLanguage, p);
  const reason = (r: RuntimeReason) => reasonText(i18n.resolvedLanguage, r);

  const device = (d: BackendDevice) =>
    d.totalMiB != null
      ? t('card.deviceMemory', { name: d.name, description: d.description, total: dl.bytes(d.totalMiB * MiB) })
      : t('card.device', { name: d.name, description: d.description });

  /** Phase, then bytes, speed and time left while downloading ("Downloading · 12 MB of 40 MB · 3 MB/s · 9 s left"). */
  const jobFigures = (job: RuntimeJob): string[] => {
    const parts = [t(`phase.${job.phase}`)];
    if (job.phase !== 'download') return parts;
    parts.push(
      job.totalBytes != null
        ? tt('downloads.bytes', { done: dl.bytes(job.receivedBytes), total: dl.bytes(job.totalBytes) })
        : dl.bytes(job.receivedBytes),
    );
    if (job.bytesPerSecond != null) parts.push(tt('downloads.speed', { speed: dl.bytes(job.bytesPerSecond) }));
    parts.push(
      job.etaSeconds != null ? tt('downloads.eta', { eta: dl.duration(job.etaSeconds) }) : tt('downloads.etaUnknown'),
    );
    return parts;
  };

  return { t, i18n, variant, origin, name, problem, reason, device, jobFigures };
}
