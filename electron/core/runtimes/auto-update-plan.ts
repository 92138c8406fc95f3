/**
 * Whether a runtime update should be fetched on its own (Settings → Runtimes "update automatically"), as LM Studio
 * updates its engines: a newer llama.cpp release is fetched, checked and, in automatic mode, used (the newest install
 * of a variant wins), without a new app version; the previous runtime stays for rollback. Pure; the timer and the
 * fetching are auto-update.ts.
 */
import type { RuntimeInfo, RuntimeSettings, RuntimeVariant } from '../../shared/runtimes';

export type AutoUpdatePlan = { action: 'none'; why: string } | { action: 'get'; variant: RuntimeVariant; tag: string };

/** Before the feed is asked: only a release (or bundled) runtime chosen automatically is ever replaced. */
export function autoUpdateWanted(settings: RuntimeSettings, active: RuntimeInfo | null): string | null {
  if (!settings.autoUpdate) return 'automatic runtime updates are off';
  // A runtime picked by id is a pin (also how a rollback is made): never moved away from by itself.
  if (settings.active !== 'auto') return `the runtime ${settings.active} was chosen in Settings`;
  if (!active) return 'no runtime is active';
  if (active.source !== 'release' && active.source !== 'bundled')
    return `the active runtime (${active.id}) is not an official release`;
  if (!active.tag) return `the active runtime (${active.id}) has no release tag`;
  return null;
}

/** After the feed answered with its latest tag. */
export function autoUpdatePlan(
  settings: RuntimeSettings,
  active: RuntimeInfo | null,
  latestTag: string | null,
  installed: Pick<RuntimeInfo, 'tag' | 'variant'>[],
): AutoUpdatePlan {
  const unwanted = autoUpdateWanted(settings, active);
  if (unwanted) return { action: 'none', why: unwanted };
  if (!latestTag) return { action: 'none', why: 'the release feed named no latest release' };
  if (latestTag === active!.tag) return { action: 'none', why: `${latestTag} is the newest release` };
  if (installed.some((r) => r.tag === latestTag && r.variant === active!.variant))
    return { action: 'none', why: `${latestTag} (${active!.variant}) is installed already` };
  return { action: 'get', variant: active!.variant, tag: latestTag };
}
