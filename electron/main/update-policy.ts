/**
 * App updates, the decisions: whether and where to look for a new version, and the state the window shows, from
 * electron-updater's events. Pure (no Electron, no I/O), so it is table-tested without the app; updater.ts is the
 * thin glue that feeds it electron-updater's events and the settings.
 */
import type { AppUpdateState, UpdateDisabledReason, UpdateSettings } from '../shared/app-update';
import { AppError } from '../shared/errors';

/** While running, look again this often (a check is one small HTTP GET of latest.yml). */
export const RECHECK_MS = 6 * 60 * 60 * 1000;

export interface CheckContext {
  settings: UpdateSettings;
  /** app.isPackaged: false under `npm start`. */
  isPackaged: boolean;
  env: Record<string, string | undefined>;
  platform: string;
  /** Linux only: AppImage ($APPIMAGE set), deb (<resources>/package-type says so), anything else (a folder). */
  linuxPackage: 'appimage' | 'deb' | 'other' | null;
}

/** A feed other than the one built into the app (app-update.yml, from electron-builder.yml's first publish entry). */
export interface GenericFeed {
  provider: 'generic';
  url: string;
}

export type CheckDecision = { check: true; feed: GenericFeed | null } | { check: false; reason: UpdateDisabledReason };

const isHttps = (u: string) => {
  try {
    return new URL(u).protocol === 'https:';
  } catch {
    return false;
  }
};

export function decideCheck(c: CheckContext): CheckDecision {
  if (c.env.DEEPLOCAL_NO_UPDATE === '1') return { check: false, reason: 'env' };
  if (!c.isPackaged) return { check: false, reason: 'not-packaged' };
  if (!c.settings.check) return { check: false, reason: 'setting' };
  // electron-updater replaces an AppImage or a deb; an unpacked folder (or rpm/pacman we do not build) it cannot.
  if (c.platform === 'linux' && c.linuxPackage !== 'appimage' && c.linuxPackage !== 'deb')
    return { check: false, reason: 'unsupported-package' };
  // A mirror for one run (tests, managed installs); the setting otherwise.
  const envUrl = c.env.DEEPLOCAL_UPDATE_URL;
  if (envUrl && isHttps(envUrl)) return { check: true, feed: { provider: 'generic', url: envUrl } };
  if (c.settings.feed === 'generic') {
    if (!c.settings.url || !isHttps(c.settings.url)) return { check: false, reason: 'no-feed-url' };
    return { check: true, feed: { provider: 'generic', url: c.settings.url } };
  }
  return { check: true, feed: null };
}

/** A periodic check only while nothing is under way or waiting for a restart. */
export function shouldRecheck(state: AppUpdateState, now: number): boolean {
  if (!['idle', 'none', 'error', 'available'].includes(state.phase)) return false;
  return state.checkedAt === null || now - state.checkedAt >= RECHECK_MS;
}

export function initialState(currentVersion: string): AppUpdateState {
  return {
    phase: 'idle',
    currentVersion,
    version: null,
    releaseName: null,
    releaseNotes: null,
    releaseDate: null,
    percent: null,
    disabledReason: null,
    error: null,
    checkedAt: null,
  };
}

// ---------- what the feed says (hostile: a release page anyone with push rights, or a mirror, wrote) ----------

const NOTES_MAX = 20_000;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** GitHub's release notes arrive as HTML: the text only (block tags become line breaks), never markup to render. */
export function htmlToText(html: string): string {
  return html
    .replace(/<\s*(script|style)[^>]*>[\s\S]*?<\s*\/\s*\1\s*>/gi, '')
    .replace(/<\s*br\s*\/?>/gi, '\n')
    .replace(/<\s*li[^>]*>/gi, '\n• ')
    .replace(/<\s*\/\s*(p|div|h[1-6]|ul|ol|pre|blockquote|tr)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (m, e: string) => {
      const k = e.toLowerCase();
      if (k in ENTITIES) return ENTITIES[k]!;
      const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : k.startsWith('#') ? parseInt(k.slice(1), 10) : NaN;
      return Number.isFinite(code) && code > 31 && code < 0x110000 ? String.fromCodePoint(code) : m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** electron-updater's releaseNotes: a string (HTML), or per-version notes when several versions were skipped. */
export function notesText(notes: unknown): string | null {
  let text: string | null = null;
  if (typeof notes === 'string') text = htmlToText(notes);
  else if (Array.isArray(notes))
    text = notes
      .filter((n): n is { version: unknown; note: unknown } => !!n && typeof n === 'object')
      .map((n) => {
        const v = typeof n.version === 'string' ? n.version.slice(0, 100) : '';
        const body = typeof n.note === 'string' ? htmlToText(n.note) : '';
        return v ? `${v}\n${body}` : body;
      })
      .filter(Boolean)
      .join('\n\n');
  if (!text) return null;
  return text.length > NOTES_MAX ? `${text.slice(0, NOTES_MAX - 1)}…` : text;
}

const str = (v: unknown, max: number) => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);

/** The fields of electron-updater's UpdateInfo we show, each checked. */
export interface FeedInfo {
  version?: unknown;
  releaseName?: unknown;
  releaseNotes?: unknown;
  releaseDate?: unknown;
}

function fromInfo(info: FeedInfo) {
  return {
    version: str(info.version, 100),
    releaseName: str(info.releaseName, 300),
    releaseNotes: notesText(info.releaseNotes),
    releaseDate: str(info.releaseDate, 100),
  };
}

// ---------- the state the window shows ----------

export type UpdateEvent =
  | { type: 'disabled'; reason: UpdateDisabledReason }
  | { type: 'checking' }
  | { type: 'available'; info: FeedInfo }
  | { type: 'not-available'; at: number }
  | { type: 'progress'; percent: unknown }
  | { type: 'downloaded'; info: FeedInfo; at: number }
  | { type: 'error'; message: string; at: number };

export function reduceUpdate(s: AppUpdateState, e: UpdateEvent): AppUpdateState {
  // A downloaded update waits for the restart: later background checks and their failures do not hide it.
  if (s.phase === 'downloaded' && e.type !== 'downloaded' && e.type !== 'disabled') return s;
  switch (e.type) {
    case 'disabled':
      if (s.phase === 'disabled' && s.disabledReason === e.reason) return s;
      return { ...initialState(s.currentVersion), phase: 'disabled', disabledReason: e.reason, checkedAt: s.checkedAt };
    case 'checking':
      return { ...s, phase: 'checking', disabledReason: null, error: null };
    case 'available':
      return { ...s, ...fromInfo(e.info), phase: 'available', percent: 0, disabledReason: null, error: null };
    case 'not-available':
      return { ...initialState(s.currentVersion), phase: 'none', checkedAt: e.at };
    case 'progress': {
      const p = typeof e.percent === 'number' && Number.isFinite(e.percent) ? Math.min(100, Math.max(0, e.percent)) : 0;
      return { ...s, phase: 'downloading', percent: p };
    }
    case 'downloaded':
      return { ...s, ...fromInfo(e.info), phase: 'downloaded', percent: 100, error: null, checkedAt: e.at };
    case 'error':
      return {
        ...s,
        phase: 'error',
        percent: null,
        checkedAt: e.at,
        error: new AppError('UPDATE_FAILED', { reason: e.message.split('\n')[0]!.slice(0, 300) }).toInfo(),
      };
  }
}
