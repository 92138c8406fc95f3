import { describe, expect, it } from 'vitest';
import type { Recovery } from '@shared/backend-options';
import { defaultLoadOptions, type BackendStatus } from '@shared/schemas';
import { backendEn, backendZhCN } from '../../i18n/backend';
import type { BackendKey } from '../../lib/useBackendText';
import {
  causeOf,
  interruptedKey,
  isInterruption,
  optionsToKeep,
  recoveryView,
  render,
  secondsLeft,
  type Params,
} from './recovery-view';

type Tree = { [k: string]: string | Tree };
/** The same lookup and {{interpolation}} i18next does, over the real tables: the tests read what users read. */
const tFor =
  (table: Tree) =>
  (key: BackendKey, params: Params = {}): string => {
    const text = key.split('.').reduce<string | Tree>((node, k) => (node as Tree)[k]!, table);
    if (typeof text !== 'string') throw new Error(`no string at ${key}`);
    return text.replace(/\{\{(\w+)\}\}/g, (_, p: string) => String(params[p] ?? '…'));
  };
const en = tFor(backendEn as Tree);
const zh = tFor(backendZhCN as Tree);

const NOW = 1_000_000;
const rec = (o: Partial<Recovery> = {}): Recovery => ({
  reason: { code: 'BACKEND_OOM', message: 'out of memory' },
  attempt: 2,
  maxAttempts: 3,
  phase: 'restarting',
  nextAt: NOW + 2_400,
  steps: [],
  restarts: 1,
  ...o,
});
const st = (state: BackendStatus['state'], recovery: Recovery | null) => ({ state, recovery });

describe('recoveryView', () => {
  // The issue's own words are the spec: these sentences are what the status bar and Model page must say.
  it.each([
    [
      'waiting for the next try counts down in whole seconds',
      st('crashed', rec()),
      'Backend crashed (out of memory) — restarting in 3 s (try 2 of 3)',
      'Out of memory — restarting in 3 s (2/3)',
    ],
    [
      'the try itself is loading: no countdown',
      st('loading', rec({ nextAt: null, reason: { code: 'BACKEND_CRASHED', message: '' } })),
      'Backend crashed — restarting now (try 2 of 3)',
      'Crashed — restarting (2/3)',
    ],
    [
      'the moment has passed but the start has not been reported yet',
      st('crashed', rec({ nextAt: NOW - 10, reason: { code: 'BACKEND_HUNG', message: '' }, attempt: 1 })),
      'Backend stopped answering — restarting now (try 1 of 3)',
      'Not answering — restarting (1/3)',
    ],
    [
      'back and serving',
      st('ready', rec({ phase: 'restarted', nextAt: null, reason: { code: 'BACKEND_CRASHED', message: '' } })),
      'Restarted after a crash',
      'Restarted',
    ],
    [
      'gave up: the reason is filled in by the page (a translated error)',
      st('crashed', rec({ phase: 'gave-up', attempt: 3, nextAt: null })),
      'Gave up after 3 tries: REASON',
      'Gave up after 3 tries',
    ],
    [
      // After a Retry by hand the failed-try count is 0: a failure no restart can mend gives up at once.
      'gave up with no failed tries counted',
      st(
        'crashed',
        rec({ phase: 'gave-up', attempt: 0, nextAt: null, reason: { code: 'BACKEND_EXITED', message: '' } }),
      ),
      'Could not restart: REASON',
      'Exited',
    ],
    [
      'a Retry by hand is starting: no try number',
      st('starting', rec({ attempt: 0, nextAt: null })),
      'Backend crashed (out of memory) — restarting now',
      'Out of memory — restarting',
    ],
    [
      // The out-of-memory ladder is bounded by its steps, not by the tries: "4 of 3" would read as a bug.
      'the ladder past the try limit',
      st('crashed', rec({ attempt: 4 })),
      'Backend crashed (out of memory) — restarting in 3 s (try 4)',
      'Out of memory — restarting in 3 s (#4)',
    ],
  ])('%s', (_name, status, headline, pill) => {
    const v = recoveryView(status, NOW)!;
    expect(render(v.headline, en, v.canRetry || v.phase === 'gave-up' ? { reason: 'REASON' } : {})).toBe(headline);
    expect(render(v.pill, en)).toBe(pill);
  });

  it('nothing to say without a recovery, or once the user stopped the model', () => {
    expect(recoveryView(undefined, NOW)).toBeNull();
    expect(recoveryView(st('ready', null), NOW)).toBeNull();
    expect(recoveryView(st('stopped', rec({ phase: 'gave-up' })), NOW)).toBeNull();
    expect(recoveryView(st('stopping', rec({ phase: 'restarted' })), NOW)).toBeNull();
  });

  it('Retry only when it gave up and the backend is still crashed; the countdown only while waiting', () => {
    expect(recoveryView(st('crashed', rec({ phase: 'gave-up', nextAt: null })), NOW)!.canRetry).toBe(true);
    // backend.retry was clicked: starting again, no second Retry.
    expect(recoveryView(st('starting', rec({ phase: 'gave-up', nextAt: null })), NOW)!.canRetry).toBe(false);
    expect(recoveryView(st('crashed', rec()), NOW)!.nextAt).toBe(NOW + 2_400);
    expect(recoveryView(st('loading', rec()), NOW)!.nextAt).toBeNull();
  });

  it('shows each ladder step as "context 32768 → 16384 (out of memory)", and offers to keep them once serving', () => {
    const steps = [
      { what: 'context', from: '32768', to: '16384', because: 'BACKEND_OOM', at: 1 },
      { what: 'kv-cache', from: 'f16', to: 'q8_0', because: 'BACKEND_OOM', at: 2 },
      { what: 'gpu-layers', from: '33', to: '20', because: 'BACKEND_CRASHED', at: 3 },
    ] as const;
    const restarted = rec({ phase: 'restarted', nextAt: null, steps: [...steps] });
    const v = recoveryView(st('ready', restarted), NOW)!;
    expect(v.steps.map((s) => render(s, en))).toEqual([
      'context 32768 → 16384 (out of memory)',
      'KV cache f16 → q8_0 (out of memory)',
      'GPU layers 33 → 20 (crash)',
    ]);
    expect(render(v.steps[0]!, zh)).toBe('上下文 32768 → 16384（内存不足）');
    expect(v.canKeep).toBe(true);
    // Still loading the stepped-down settings: not proven yet.
    expect(recoveryView(st('loading', restarted), NOW)!.canKeep).toBe(false);
    // Restarted on the user's own settings: nothing to keep.
    expect(recoveryView(st('ready', rec({ phase: 'restarted', nextAt: null })), NOW)!.canKeep).toBe(false);
  });

  it('composes the Chinese sentence from Chinese parts', () => {
    const v = recoveryView(st('crashed', rec()), NOW)!;
    expect(render(v.headline, zh)).toBe('后端崩溃（内存不足） — 3 秒后重启（第 2 次，共 3 次）');
    expect(render(v.pill, zh)).toBe('内存不足 — 3 秒后重启（2/3）');
    expect(render(recoveryView(st('loading', rec({ attempt: 0 })), NOW)!.headline, zh)).toBe(
      '后端崩溃（内存不足） — 正在重启',
    );
  });
});

describe('helpers', () => {
  it('secondsLeft rounds up and stops at zero', () => {
    expect(secondsLeft(null, NOW)).toBeNull();
    expect(secondsLeft(NOW + 1, NOW)).toBe(1);
    expect(secondsLeft(NOW + 1000, NOW)).toBe(1);
    expect(secondsLeft(NOW + 1001, NOW)).toBe(2);
    expect(secondsLeft(NOW - 5000, NOW)).toBe(0);
  });

  it('causeOf and isInterruption know the backend-death codes only', () => {
    expect(causeOf('BACKEND_OOM')).toBe('oom');
    expect(causeOf('MODEL_LOAD_FAILED')).toBe('other');
    for (const code of ['BACKEND_CRASHED', 'BACKEND_EXITED', 'BACKEND_OOM', 'BACKEND_HUNG'] as const)
      expect(isInterruption({ code })).toBe(true);
    // A stop by the user, a full queue or a lost connection are not a crash: no "backend restarted" mark.
    for (const code of ['BACKEND_NOT_READY', 'BACKEND_QUEUE_FULL', 'INTERNAL'] as const)
      expect(isInterruption({ code })).toBe(false);
    expect(isInterruption(null)).toBe(false);
  });

  it('an interrupted reply says where the backend stands now', () => {
    expect(interruptedKey(st('ready', rec({ phase: 'restarted' })))).toBe('heal.interrupted.restarted');
    expect(interruptedKey(st('loading', rec()))).toBe('heal.interrupted.restarting');
    expect(interruptedKey(st('crashed', rec()))).toBe('heal.interrupted.restarting');
    expect(interruptedKey(st('crashed', rec({ phase: 'gave-up' })))).toBe('heal.interrupted.stopped');
    expect(interruptedKey(st('stopped', null))).toBe('heal.interrupted.stopped');
    expect(interruptedKey(undefined)).toBe('heal.interrupted.stopped');
  });
});

describe('optionsToKeep', () => {
  // A profile is a patch over the global defaults: pinning every field would stop the model from following a later
  // change of, say, the thread count in settings.
  it('keeps what the ladder changed (and anything else that differs), nothing more', () => {
    const defaults = { ...defaultLoadOptions(), contextSize: 32768 };
    const running = {
      ...defaults,
      contextSize: 16384,
      cacheTypeK: 'q8_0' as const,
      cacheTypeV: 'q8_0' as const,
      gpus: { ...defaults.gpus, devices: [] },
    };
    expect(optionsToKeep(running, defaults)).toEqual({
      contextSize: 16384,
      cacheTypeK: 'q8_0',
      cacheTypeV: 'q8_0',
      gpus: { ...defaults.gpus, devices: [] },
    });
  });

  it('never keeps the RPC workers of the run (a machine setting, checked at each start)', () => {
    const defaults = defaultLoadOptions();
    const running = { ...defaults, contextSize: 4096, rpcServers: ['10.0.0.2:50052'] };
    expect(optionsToKeep(running, defaults)).toEqual({ contextSize: 4096 });
    expect(optionsToKeep(running, undefined)).not.toHaveProperty('rpcServers');
  });

  it('the whole running options when the defaults are not known yet', () => {
    const { rpcServers: _workers, ...running } = defaultLoadOptions();
    expect(optionsToKeep({ ...running, rpcServers: [] }, undefined)).toEqual(running);
  });
});
