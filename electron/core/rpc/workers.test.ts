import { describe, expect, it } from 'vitest';
import type { RpcCheck, RpcWorker, RpcWorkerEntry } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import { RpcWorkerList, usableWorkers } from './workers';

const entry = (id: string, port: number, enabled = true): RpcWorkerEntry => ({
  id,
  host: '10.0.0.2',
  port,
  enabled,
  addedAt: 1,
});
const dev = (gib: number) => ({
  index: 0,
  name: null,
  description: null,
  freeBytes: gib * 2 ** 30,
  totalBytes: gib * 2 ** 30,
});
const ok = (gib = 8): RpcCheck => ({
  at: 1,
  ok: true,
  latencyMs: 1,
  protocol: '7.0.0',
  compatible: true,
  devices: [dev(gib)],
  error: null,
});
const down = (address: string): RpcCheck => ({
  at: 1,
  ok: false,
  latencyMs: null,
  protocol: null,
  compatible: false,
  devices: [],
  error: new AppError('RPC_UNREACHABLE', { address, reason: 'connection refused' }).toInfo(),
});
const old = (address: string): RpcCheck => ({
  ...down(address),
  protocol: '6.0.0',
  error: new AppError('RPC_INCOMPATIBLE', { address, version: '6.0.0', expected: '7.0.x' }).toInfo(),
});

describe('usableWorkers', () => {
  it.each<[string, RpcWorkerEntry[], [string, RpcCheck][], string[], string[]]>([
    ['none', [], [], [], []],
    [
      'two that pass, in the saved order',
      [entry('a', 1), entry('b', 2)],
      [
        ['b', ok()],
        ['a', ok()],
      ],
      ['10.0.0.2:1', '10.0.0.2:2'],
      [],
    ],
    [
      'a disabled one is neither used nor reported',
      [entry('a', 1, false), entry('b', 2)],
      [
        ['a', ok()],
        ['b', ok()],
      ],
      ['10.0.0.2:2'],
      [],
    ],
    [
      'unreachable is skipped with its error',
      [entry('a', 1), entry('b', 2)],
      [
        ['a', down('10.0.0.2:1')],
        ['b', ok()],
      ],
      ['10.0.0.2:2'],
      ['RPC_UNREACHABLE'],
    ],
    ['incompatible is skipped', [entry('a', 1)], [['a', old('10.0.0.2:1')]], [], ['RPC_INCOMPATIBLE']],
    ['never checked is skipped as unreachable', [entry('a', 1)], [], [], ['RPC_UNREACHABLE']],
    ['ok but no device is skipped', [entry('a', 1)], [['a', { ...ok(), devices: [] }]], [], ['RPC_UNREACHABLE']],
  ])('%s', (_n, entries, checks, use, skipCodes) => {
    const r = usableWorkers(entries, new Map(checks));
    expect(r.use).toEqual(use);
    expect(r.devices).toHaveLength(use.length);
    expect(r.skip.map((s) => s.error.code)).toEqual(skipCodes);
  });
});

/** The list over an in-memory settings list; checks answer from a table (the real protocol is protocol.int.test.ts). */
function listWith(answers: Record<number, RpcCheck>, inUse: string[] = []) {
  let saved: RpcWorkerEntry[] = [];
  const events: RpcWorker[][] = [];
  const checked: number[] = [];
  let now = 1000;
  const list = new RpcWorkerList({
    read: async () => saved,
    write: async (fn) => (saved = fn(saved)),
    emit: (l) => events.push(l),
    inUse: () => inUse,
    timeoutMs: 100,
    now: () => now,
    check: async (_host, port) => {
      checked.push(port);
      return { ...(answers[port] ?? down(`10.0.0.2:${port}`)), at: now };
    },
  });
  return { list, events, checked, saved: () => saved, tick: (ms: number) => (now += ms) };
}

describe('RpcWorkerList', () => {
  it('add: checked, saved, announced; a duplicate and a bad address are refused', async () => {
    const t = listWith({ 50052: ok() });
    const w = await t.list.add('10.0.0.2', 50052);
    expect(w).toMatchObject({ address: '10.0.0.2:50052', enabled: true, lastCheck: { ok: true } });
    expect(t.saved()).toHaveLength(1);
    expect(t.events.at(-1)).toHaveLength(1);
    await expect(t.list.add('10.0.0.2', 50052)).rejects.toMatchObject({ code: 'RPC_WORKER_EXISTS' });
    await expect(t.list.add('::1', 50052)).rejects.toMatchObject({ code: 'RPC_BAD_ADDRESS' });
    // An unreachable worker is still saved (it may come up later), with its check saying why.
    const w2 = await t.list.add('10.0.0.2', 50053);
    expect(w2.lastCheck?.error?.code).toBe('RPC_UNREACHABLE');
    expect(t.saved()).toHaveLength(2);
  });

  it('at most 16', async () => {
    const t = listWith({});
    for (let p = 1; p <= 16; p++) await t.list.add('10.0.0.2', p);
    await expect(t.list.add('10.0.0.2', 99)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
  });

  it('enable/disable, check, remove; an unknown id is RPC_WORKER_NOT_FOUND', async () => {
    const t = listWith({ 1: ok() });
    const w = await t.list.add('10.0.0.2', 1);
    expect((await t.list.setEnabled(w.id, false)).enabled).toBe(false);
    expect((await t.list.checkOne(w.id)).lastCheck?.ok).toBe(true);
    await expect(t.list.setEnabled('nope', true)).rejects.toMatchObject({ code: 'RPC_WORKER_NOT_FOUND' });
    await expect(t.list.checkOne('nope')).rejects.toMatchObject({ code: 'RPC_WORKER_NOT_FOUND' });
    expect(await t.list.remove(w.id)).toBe(true);
    expect(await t.list.remove(w.id)).toBe(false);
    expect(await t.list.list()).toEqual([]);
  });

  it('usable: fresh checks of the enabled ones only', async () => {
    const t = listWith({ 1: ok(), 2: ok() });
    const a = await t.list.add('10.0.0.2', 1);
    await t.list.add('10.0.0.2', 2);
    await t.list.setEnabled(a.id, false);
    t.checked.length = 0;
    expect((await t.list.usable()).use).toEqual(['10.0.0.2:2']);
    expect(t.checked).toEqual([2]);
  });

  it('a worker the running llama-server holds keeps its last good check (it cannot answer anyone else now)', async () => {
    const t = listWith({ 1: ok() }, ['10.0.0.2:1']);
    await t.list.add('10.0.0.2', 1);
    t.checked.length = 0;
    expect((await t.list.usable()).use).toEqual(['10.0.0.2:1']);
    expect(t.checked).toEqual([]);
  });

  it('devices for the fit planner: checks younger than the limit are reused', async () => {
    const t = listWith({ 1: ok(4), 2: ok(8) });
    await t.list.add('10.0.0.2', 1);
    await t.list.add('10.0.0.2', 2);
    t.checked.length = 0;
    expect((await t.list.devices(30_000)).map((d) => d.totalBytes)).toEqual([4 * 2 ** 30, 8 * 2 ** 30]);
    expect(t.checked).toEqual([]);
    t.tick(31_000);
    await t.list.devices(30_000);
    expect(t.checked.sort()).toEqual([1, 2]);
  });
});
