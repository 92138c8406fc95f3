/** When a runtime updates by itself: only an official runtime chosen automatically, only to a release not yet here. */
import { describe, expect, it } from 'vitest';
import { RuntimeSettings, type RuntimeInfo } from '../../shared/runtimes';
import { autoUpdatePlan } from './auto-update-plan';

const settings = (p: Partial<RuntimeSettings> = {}) => RuntimeSettings.parse(p);
const rt = (p: Partial<RuntimeInfo>): RuntimeInfo =>
  ({
    id: 'v0.5.0-vulkan',
    variant: 'vulkan',
    source: 'release',
    tag: 'v0.5.0',
    ...p,
  }) as RuntimeInfo;

describe('autoUpdatePlan', () => {
  const active = rt({});
  it.each([
    ['updates off', settings({ autoUpdate: false }), active, 'v0.5.1', [], 'none'],
    // A pin is how a rollback is made: the updater must not undo it.
    ['a runtime pinned in Settings', settings({ active: 'v0.5.0-vulkan' }), active, 'v0.5.1', [], 'none'],
    ['no active runtime', settings(), null, 'v0.5.1', [], 'none'],
    [
      'a source build (developers build their own)',
      settings(),
      rt({ source: 'source', tag: null }),
      'v0.5.1',
      [],
      'none',
    ],
    ['a folder the user named', settings(), rt({ source: 'folder', tag: null }), 'v0.5.1', [], 'none'],
    ['already the newest', settings(), active, 'v0.5.0', [], 'none'],
    ['the feed named nothing', settings(), active, null, [], 'none'],
    ['newer one installed already', settings(), active, 'v0.5.1', [{ tag: 'v0.5.1', variant: 'vulkan' }], 'none'],
    ['newer release, same variant', settings(), active, 'v0.5.1', [], 'get'],
    [
      'bundled runtime of a packaged app',
      settings(),
      rt({ source: 'bundled', id: 'bundled-vulkan' }),
      'v0.5.1',
      [],
      'get',
    ],
    // Another variant of the new tag is no reason to skip this one.
    [
      'newer tag installed for another variant',
      settings(),
      active,
      'v0.5.1',
      [{ tag: 'v0.5.1', variant: 'cpu' }],
      'get',
    ],
  ] as const)('%s', (_name, s, a, latest, installed, action) => {
    const plan = autoUpdatePlan(s, a, latest, [...installed]);
    expect(plan.action).toBe(action);
    if (plan.action === 'get') expect(plan).toEqual({ action: 'get', variant: a!.variant, tag: latest });
    else expect(plan.why.length).toBeGreaterThan(5);
  });
});
