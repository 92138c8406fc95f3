/**
 * Contract types for updates of the desktop app itself (electron-updater, in the window app only; the browser shell
 * has none). llama.cpp runtimes update on their own (runtimes.update).
 */
import { z } from 'zod';
import { ErrorInfo } from './errors';

/** settings.updates */
export const UpdateSettings = z.object({
  /** Look for a new version at start (and every few hours while running). */
  check: z.boolean().default(true),
  /** GitHub releases (the feed built into the app) or a generic feed at `url` (a mirror: latest.yml + installers). */
  feed: z.enum(['github', 'generic']).default('github'),
  url: z.string().max(2000).nullable().default(null),
});
export type UpdateSettings = z.infer<typeof UpdateSettings>;

/** What settings.update takes for `updates`: a generic feed must be https. */
export const UpdateSettingsPatch = z.strictObject({
  check: z.boolean().optional(),
  feed: z.enum(['github', 'generic']).optional(),
  url: z
    .url({ protocol: /^https$/ })
    .max(2000)
    .nullable()
    .optional(),
});

/** Why the app does not look for updates. */
export const UpdateDisabledReason = z.enum([
  /** settings.updates.check is off */
  'setting',
  /** a development run (npm start), not an installed app */
  'not-packaged',
  /** DEEPLOCAL_NO_UPDATE=1 (managed installs, CI) */
  'env',
  /** feed 'generic' without a url */
  'no-feed-url',
  /** a package format electron-updater cannot replace (a Linux install that is neither AppImage nor deb) */
  'unsupported-package',
]);
export type UpdateDisabledReason = z.infer<typeof UpdateDisabledReason>;

export const AppUpdatePhase = z.enum([
  'idle',
  'disabled',
  'checking',
  /** up to date */
  'none',
  'available',
  'downloading',
  /** ready: "restart to update" */
  'downloaded',
  'error',
]);
export type AppUpdatePhase = z.infer<typeof AppUpdatePhase>;

export const AppUpdateState = z.object({
  phase: AppUpdatePhase,
  currentVersion: z.string().max(100),
  /** The new version (available, downloading, downloaded). */
  version: z.string().max(100).nullable(),
  releaseName: z.string().max(300).nullable(),
  /** Plain text (the feed's HTML stripped), capped; shown as text, never as HTML. */
  releaseNotes: z.string().max(20_000).nullable(),
  releaseDate: z.string().max(100).nullable(),
  /** 0..100 while downloading. */
  percent: z.number().min(0).max(100).nullable(),
  disabledReason: UpdateDisabledReason.nullable(),
  error: ErrorInfo.nullable(),
  /** When the last check finished (ms since epoch). */
  checkedAt: z.number().nullable(),
});
export type AppUpdateState = z.infer<typeof AppUpdateState>;

/** What the desktop shell gives the core so the contract can answer app.updateStatus / app.installUpdate. */
export interface AppUpdaterPort {
  status(): AppUpdateState;
  /** Quits, installs and restarts; throws UPDATE_NOT_READY until an update is downloaded. */
  install(): Promise<{ restarting: boolean }>;
}
