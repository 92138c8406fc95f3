import { describe, expect, it } from 'vitest';
import { shouldReloadLastModel } from './backend';

describe('shouldReloadLastModel', () => {
  it.each<[boolean | null, 'electron' | 'browser', string | undefined, boolean]>([
    [null, 'electron', undefined, true],
    [null, 'browser', undefined, false],
    [false, 'electron', undefined, false],
    [true, 'browser', undefined, true],
    [true, 'electron', '0', false],
    [false, 'browser', '1', true],
    [null, 'browser', 'true', true],
    [null, 'electron', 'false', false],
    [null, 'electron', 'maybe', true],
  ])('setting %s, shell %s, env %s → %s', (setting, shell, env, expected) => {
    expect(shouldReloadLastModel(setting, shell, env === undefined ? {} : { DEEPLOCAL_RELOAD_LAST_MODEL: env })).toBe(
      expected,
    );
  });
});
