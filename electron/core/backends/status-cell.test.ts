import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { BackendStatus } from '../../shared/schemas';
import { idleStatus } from '../../shared/idle-status';
import { StatusCell } from './status-cell';

describe('StatusCell', () => {
  it('numbers each change and tells the listeners until they unsubscribe', () => {
    const cell = new StatusCell(idleStatus(0));
    const seen: BackendStatus[] = [];
    const off = cell.onChange((s) => seen.push(s));
    cell.set({ state: 'loading', runId: 1 });
    cell.set({ progress: 0.5 });
    off();
    cell.set({ progress: 0.9 });
    expect(seen.map((s) => [s.seq, s.state, s.progress])).toEqual([
      [1, 'loading', null],
      [2, 'loading', 0.5],
    ]);
    expect(cell.current).toMatchObject({ seq: 3, state: 'loading', runId: 1, progress: 0.9 });
  });

  it('a listener that unsubscribes while told does not stop the others', () => {
    const cell = new StatusCell(idleStatus(0));
    const calls: string[] = [];
    const offA = cell.onChange(() => {
      calls.push('a');
      offA();
    });
    cell.onChange(() => calls.push('b'));
    cell.set({ state: 'loading' });
    cell.set({ state: 'starting' });
    expect(calls).toEqual(['a', 'b', 'b']);
  });

  it('waitReady resolves on ready, and at once when already ready', async () => {
    const cell = new StatusCell(idleStatus(0, { state: 'loading' }));
    const waiting = cell.waitReady();
    cell.set({ state: 'starting' });
    cell.set({ state: 'ready' });
    await expect(waiting).resolves.toBeUndefined();
    await expect(cell.waitReady()).resolves.toBeUndefined();
  });

  it('waitReady rejects with the status error on a crash, and with BACKEND_NOT_READY on a plain stop', async () => {
    const cell = new StatusCell(idleStatus(0, { state: 'loading' }));
    const waiting = cell.waitReady();
    cell.set({ state: 'crashed', error: new AppError('BACKEND_OOM').toInfo() });
    await expect(waiting).rejects.toMatchObject({ code: 'BACKEND_OOM' });
    await expect(cell.waitReady()).rejects.toMatchObject({ code: 'BACKEND_OOM' });

    cell.set({ state: 'loading', error: null });
    const again = cell.waitReady();
    cell.set({ state: 'stopped' });
    await expect(again).rejects.toMatchObject({ code: 'BACKEND_NOT_READY' });
  });
});
