import { describe, expect, it } from 'vitest';
import type { AppUpdateState } from '@shared/app-update';
import { updateBanner } from './banner';

const state = (over: Partial<AppUpdateState>): AppUpdateState => ({
  phase: 'idle',
  currentVersion: '1.0.0',
  version: null,
  releaseName: null,
  releaseNotes: null,
  releaseDate: null,
  percent: null,
  disabledReason: null,
  error: null,
  checkedAt: null,
  ...over,
});

describe('updateBanner', () => {
  it.each<[string, AppUpdateState | undefined, string | null, ReturnType<typeof updateBanner>]>([
    ['nothing known yet (browser shell, first paint)', undefined, null, null],
    ['up to date', state({ phase: 'none' }), null, null],
    ['updates turned off', state({ phase: 'disabled', disabledReason: 'setting' }), null, null],
    ['checking', state({ phase: 'checking' }), null, null],
    // A failed background check (offline) must not nag; Settings shows it.
    ['a failed check', state({ phase: 'error', version: '1.1.0' }), null, null],
    [
      'found, download starting',
      state({ phase: 'available', version: '1.1.0', percent: 0 }),
      null,
      { kind: 'downloading', version: '1.1.0', percent: 0 },
    ],
    [
      'downloading, percent rounded',
      state({ phase: 'downloading', version: '1.1.0', percent: 41.6 }),
      null,
      { kind: 'downloading', version: '1.1.0', percent: 42 },
    ],
    [
      'downloaded: restart to update, with the notes',
      state({ phase: 'downloaded', version: '1.1.0', releaseNotes: 'Faster' }),
      null,
      { kind: 'ready', version: '1.1.0', notes: 'Faster' },
    ],
    ['"later" hides that version', state({ phase: 'downloaded', version: '1.1.0' }), '1.1.0', null],
    [
      'a newer version comes back after "later"',
      state({ phase: 'downloaded', version: '1.2.0' }),
      '1.1.0',
      { kind: 'ready', version: '1.2.0', notes: null },
    ],
  ])('%s', (_name, s, dismissed, want) => expect(updateBanner(s, dismissed)).toEqual(want));
});
