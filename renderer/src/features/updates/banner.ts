/**
 * What the update banner shows, from the app update's state (pure; table-tested in banner.test.ts). Only the desktop
 * app has updates; a background check that failed (offline) is not the user's business, Settings shows it.
 */
import type { AppUpdateState } from '@shared/app-update';

export type UpdateBanner =
  { kind: 'ready'; version: string; notes: string | null } | { kind: 'downloading'; version: string; percent: number };

/** `dismissed`: the version the user said "later" to in this window (the banner comes back for a newer one). */
export function updateBanner(state: AppUpdateState | undefined, dismissed: string | null): UpdateBanner | null {
  if (!state?.version || state.version === dismissed) return null;
  if (state.phase === 'downloaded') return { kind: 'ready', version: state.version, notes: state.releaseNotes };
  if (state.phase === 'available' || state.phase === 'downloading')
    return { kind: 'downloading', version: state.version, percent: Math.round(state.percent ?? 0) };
  return null;
}
