/**
 * electron-updater glue: feeds its events into update-policy.ts (which decides what to check and what the window
 * shows) and sends each new state as the `app.update` event. Nothing here decides anything.
 */
import { autoUpdater } from 'electron-updater';
import fs from 'node:fs';
import path from 'node:path';
import type { AppUpdaterPort, AppUpdateState, UpdateSettings } from '../shared/app-update';
import type { EventBus } from '../shared/contract';
import { AppError } from '../shared/errors';
import type { Settings } from '../shared/schemas';
import {
  decideCheck,
  initialState,
  reduceUpdate,
  RECHECK_MS,
  shouldRecheck,
  type CheckDecision,
  type UpdateEvent,
} from './update-policy';

export interface AppUpdaterOptions {
  currentVersion: string;
  isPackaged: boolean;
  resourcesPath: string;
  env?: NodeJS.ProcessEnv;
  log?: (m: string) => void;
}

export interface AppUpdater extends AppUpdaterPort {
  /** Once the core runs: reads settings.updates, checks at start when allowed, follows settings changes. */
  start(o: { bus: EventBus; settings: { get(): Promise<Settings> } }): Promise<void>;
  dispose(): void;
}

/** How this Linux install can be replaced: electron-builder writes <resources>/package-type for deb/rpm. */
function linuxPackage(resourcesPath: string, env: NodeJS.ProcessEnv): 'appimage' | 'deb' | 'other' {
  if (env.APPIMAGE) return 'appimage';
  try {
    return fs.readFileSync(path.join(resourcesPath, 'package-type'), 'utf8').trim() === 'deb' ? 'deb' : 'other';
  } catch {
    return 'other';
  }
}

export function createAppUpdater(o: AppUpdaterOptions): AppUpdater {
  const env = o.env ?? process.env;
  const log = o.log ?? ((m: string) => console.error(`DeepLocal: update: ${m}`));
  let state: AppUpdateState = initialState(o.currentVersion);
  let bus: EventBus | null = null;
  let decision: CheckDecision = { check: false, reason: 'not-packaged' };
  let feedKey = '';
  let timer: NodeJS.Timeout | null = null;
  const unsubscribe: (() => void)[] = [];

  const apply = (e: UpdateEvent) => {
    const next = reduceUpdate(state, e);
    if (next === state) return;
    state = next;
    bus?.emit('app.update', state);
  };

  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.logger = null;
  autoUpdater.on('checking-for-update', () => apply({ type: 'checking' }));
  autoUpdater.on('update-available', (info) => apply({ type: 'available', info }));
  autoUpdater.on('update-not-available', () => apply({ type: 'not-available', at: Date.now() }));
  autoUpdater.on('download-progress', (p) => apply({ type: 'progress', percent: p.percent }));
  autoUpdater.on('update-downloaded', (info) => apply({ type: 'downloaded', info, at: Date.now() }));
  autoUpdater.on('error', (e) => apply({ type: 'error', message: String(e?.message ?? e), at: Date.now() }));

  const check = () => {
    if (!decision.check) return;
    autoUpdater.checkForUpdates().catch((e) => log(String(e?.message ?? e))); // the error event carries it too
  };

  const follow = (settings: UpdateSettings) => {
    const platform = process.platform;
    decision = decideCheck({
      settings,
      isPackaged: o.isPackaged,
      env,
      platform,
      linuxPackage: platform === 'linux' ? linuxPackage(o.resourcesPath, env) : null,
    });
    if (!decision.check) {
      apply({ type: 'disabled', reason: decision.reason });
      return;
    }
    const key = decision.feed ? decision.feed.url : 'built-in';
    const before = feedKey;
    if (decision.feed) autoUpdater.setFeedURL(decision.feed);
    else if (before && before !== 'built-in') {
      // electron-updater cannot drop a feed set at run time; app-update.yml is read again at the next start.
      log('the built-in update feed is used again from the next start');
      return;
    }
    feedKey = key;
    if (key !== before || state.phase === 'disabled' || shouldRecheck(state, Date.now())) check();
  };

  return {
    status: () => state,
    async install() {
      if (state.phase !== 'downloaded') throw new AppError('UPDATE_NOT_READY');
      // After this reply reaches the window: quits (our before-quit stops llama-server), installs, relaunches.
      setTimeout(() => autoUpdater.quitAndInstall(false, true), 200);
      return { restarting: true };
    },
    async start(c) {
      bus = c.bus;
      follow((await c.settings.get()).updates);
      unsubscribe.push(c.bus.on('settings.changed', (s) => follow(s.updates)));
      timer = setInterval(() => {
        if (decision.check && shouldRecheck(state, Date.now())) check();
      }, RECHECK_MS / 6);
      timer.unref();
    },
    dispose() {
      if (timer) clearInterval(timer);
      for (const u of unsubscribe.splice(0)) u();
    },
  };
}
