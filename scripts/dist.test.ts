import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDist } from './dist.mjs';

describe('planDist (npm run dist -- …)', () => {
  it.each<[string, string[], Record<string, string>, { args: string[]; own: object }]>([
    [
      'plain: our config, never publishes by accident',
      [],
      {},
      {
        args: ['--config', 'electron-builder.yml', '--publish', 'never'],
        own: { officialOnly: false, from: [], repo: true },
      },
    ],
    [
      'an unpacked Electron from the environment becomes electronDist (no download)',
      ['--dir'],
      { DEEPLOCAL_ELECTRON_DIST: '/opt/electron' },
      {
        args: [
          '--config',
          'electron-builder.yml',
          '--dir',
          '--publish',
          'never',
          `-c.electronDist=${path.resolve('/opt/electron')}`,
        ],
        own: { officialOnly: false, from: [], repo: true },
      },
    ],
    [
      'a release machine: official runtimes only, from a data folder, and publishes',
      ['--official-only', '--no-repo-runtimes', '--runtimes-from', '/rt/runtimes', '--win', '--publish', 'always'],
      {},
      {
        args: ['--config', 'electron-builder.yml', '--win', '--publish', 'always'],
        own: { officialOnly: true, from: [path.resolve('/rt/runtimes')], repo: false },
      },
    ],
    [
      'a config of its own (the packaging test) replaces ours',
      ['--config', '/tmp/test.yml', '--dir'],
      {},
      {
        args: ['--config', '/tmp/test.yml', '--dir', '--publish', 'never'],
        own: { officialOnly: false, from: [], repo: true },
      },
    ],
  ])('%s', (_name, argv, env, want) => {
    const plan = planDist(argv, env);
    expect(plan.args).toEqual(want.args);
    expect(plan.own).toEqual(want.own);
  });
});
