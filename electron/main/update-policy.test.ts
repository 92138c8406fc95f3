import { describe, expect, it } from 'vitest';
import { UpdateSettings, type AppUpdateState } from '../shared/app-update';
import {
  decideCheck,
  htmlToText,
  initialState,
  notesText,
  RECHECK_MS,
  reduceUpdate,
  shouldRecheck,
  type CheckContext,
  type UpdateEvent,
} from './update-policy';

const ctx = (over: Partial<CheckContext> & { settings?: Partial<UpdateSettings> } = {}): CheckContext => ({
  isPackaged: true,
  env: {},
  platform: 'win32',
  linuxPackage: null,
  ...over,
  settings: UpdateSettings.parse(over.settings ?? {}),
});

describe('decideCheck', () => {
  it.each<[string, CheckContext, ReturnType<typeof decideCheck>]>([
    ['an installed app with default settings uses the built-in feed (GitHub)', ctx(), { check: true, feed: null }],
    // npm start runs an unpacked Electron: there is nothing to replace, and electron-updater would throw.
    ['a development run never checks', ctx({ isPackaged: false }), { check: false, reason: 'not-packaged' }],
    ['the user turned it off', ctx({ settings: { check: false } }), { check: false, reason: 'setting' }],
    [
      'DEEPLOCAL_NO_UPDATE=1 wins over everything (managed installs, CI)',
      ctx({ env: { DEEPLOCAL_NO_UPDATE: '1' }, isPackaged: false }),
      { check: false, reason: 'env' },
    ],
    [
      'a generic feed (mirror) from settings',
      ctx({ settings: { feed: 'generic', url: 'https://mirror.example.cn/deeplocal' } }),
      { check: true, feed: { provider: 'generic', url: 'https://mirror.example.cn/deeplocal' } },
    ],
    ['a generic feed without a url', ctx({ settings: { feed: 'generic' } }), { check: false, reason: 'no-feed-url' }],
    [
      'a plain-http feed is refused (an update is code we run)',
      ctx({ settings: { feed: 'generic', url: 'http://mirror.example.cn/' } }),
      { check: false, reason: 'no-feed-url' },
    ],
    [
      'DEEPLOCAL_UPDATE_URL points one run at a mirror',
      ctx({ env: { DEEPLOCAL_UPDATE_URL: 'https://127.0.0.1:9/feed' } }),
      { check: true, feed: { provider: 'generic', url: 'https://127.0.0.1:9/feed' } },
    ],
    ['an AppImage updates itself', ctx({ platform: 'linux', linuxPackage: 'appimage' }), { check: true, feed: null }],
    ['a deb updates through dpkg', ctx({ platform: 'linux', linuxPackage: 'deb' }), { check: true, feed: null }],
    [
      'an unpacked Linux folder cannot be replaced',
      ctx({ platform: 'linux', linuxPackage: 'other' }),
      { check: false, reason: 'unsupported-package' },
    ],
    ['macOS (zip through Squirrel.Mac)', ctx({ platform: 'darwin' }), { check: true, feed: null }],
  ])('%s', (_name, c, want) => expect(decideCheck(c)).toEqual(want));
});

describe('shouldRecheck', () => {
  const at = (phase: AppUpdateState['phase'], checkedAt: number | null): AppUpdateState => ({
    ...initialState('1.0.0'),
    phase,
    checkedAt,
  });
  const now = 10 * RECHECK_MS;
  it.each<[AppUpdateState, boolean]>([
    [at('idle', null), true],
    [at('none', now - RECHECK_MS), true],
    [at('none', now - RECHECK_MS + 1), false], // checked a moment ago
    [at('error', now - RECHECK_MS), true], // offline at the last check: try again later
    [at('checking', null), false],
    [at('downloading', null), false],
    [at('downloaded', now - 2 * RECHECK_MS), false], // waiting for the restart; nothing to gain
    [at('disabled', null), false],
  ])('%o -> %s', (s, want) => expect(shouldRecheck(s, now)).toBe(want));
});

describe('htmlToText / notesText (release notes are shown as text, never as markup)', () => {
  it.each([
    ['<h2>New</h2><ul><li>Faster <b>CUDA</b></li><li>Fixes</li></ul>', 'New\n\n• Faster CUDA\n• Fixes'],
    ['<p>a &amp; b &lt;c&gt; &#39;d&#39; &#x4E2D;</p>', "a & b <c> 'd' 中"],
    ['<script>alert(1)</script><p>ok</p>', 'ok'],
    ['<img src=x onerror=alert(1)>text', 'text'],
    ['line<br>next', 'line\nnext'],
  ])('%s', (html, text) => expect(htmlToText(html)).toBe(text));

  it('per-version notes (several versions skipped) keep each version as a heading', () => {
    expect(
      notesText([
        { version: '1.2.0', note: '<p>two</p>' },
        { version: '1.1.0', note: '<p>one</p>' },
      ]),
    ).toBe('1.2.0\ntwo\n\n1.1.0\none');
  });

  it.each([null, undefined, 42, {}, '', '   '])('nothing usable (%o) is null', (v) => expect(notesText(v)).toBeNull());

  it('is capped', () => {
    const t = notesText('x'.repeat(50_000))!;
    expect(t.length).toBe(20_000);
    expect(t.endsWith('…')).toBe(true);
  });
});

describe('reduceUpdate', () => {
  const run = (events: UpdateEvent[], from = initialState('1.0.0')) => events.reduce(reduceUpdate, from);
  const info = {
    version: '1.1.0',
    releaseName: 'DeepLocal 1.1',
    releaseNotes: '<p>Faster</p>',
    releaseDate: '2026-06-01',
  };

  it('check → available → progress → downloaded: "restart to update" with the notes as text', () => {
    const s = run([
      { type: 'checking' },
      { type: 'available', info },
      { type: 'progress', percent: 42.5 },
      { type: 'downloaded', info, at: 5 },
    ]);
    expect(s).toMatchObject({
      phase: 'downloaded',
      currentVersion: '1.0.0',
      version: '1.1.0',
      releaseName: 'DeepLocal 1.1',
      releaseNotes: 'Faster',
      percent: 100,
      checkedAt: 5,
      error: null,
    });
  });

  it('progress is clamped and a non-number reads as 0', () => {
    expect(
      run([
        { type: 'available', info },
        { type: 'progress', percent: 140 },
      ]).percent,
    ).toBe(100);
    expect(
      run([
        { type: 'available', info },
        { type: 'progress', percent: 'x' },
      ]).percent,
    ).toBe(0);
  });

  it('up to date clears what an earlier check found', () => {
    const s = run([
      { type: 'available', info },
      { type: 'error', message: 'net', at: 1 },
      { type: 'not-available', at: 2 },
    ]);
    expect(s).toMatchObject({ phase: 'none', version: null, error: null, checkedAt: 2 });
  });

  it('a failure is an UPDATE_FAILED error value with the first line of the message', () => {
    const s = run([{ type: 'checking' }, { type: 'error', message: 'net::ERR_INTERNET_DISCONNECTED\nstack…', at: 3 }]);
    expect(s.phase).toBe('error');
    expect(s.error).toMatchObject({ code: 'UPDATE_FAILED', params: { reason: 'net::ERR_INTERNET_DISCONNECTED' } });
  });

  it('a downloaded update survives later background checks and their failures', () => {
    const ready = run([{ type: 'downloaded', info, at: 1 }]);
    expect(run([{ type: 'checking' }, { type: 'error', message: 'offline', at: 9 }], ready)).toBe(ready);
    expect(run([{ type: 'not-available', at: 9 }], ready)).toBe(ready);
  });

  it('hostile feed fields are checked: a non-string version or notes become null, long ones are cut', () => {
    const s = run([
      { type: 'available', info: { version: { evil: 1 }, releaseName: 'n'.repeat(1000), releaseNotes: 7 } },
    ]);
    expect(s.version).toBeNull();
    expect(s.releaseNotes).toBeNull();
    expect(s.releaseName).toHaveLength(300);
  });

  it('turning updates off shows why and drops what was found', () => {
    const s = run([
      { type: 'available', info },
      { type: 'disabled', reason: 'setting' },
    ]);
    expect(s).toMatchObject({ phase: 'disabled', disabledReason: 'setting', version: null });
  });
});
