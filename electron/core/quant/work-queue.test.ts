import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { WorkJob } from '../../shared/quant';
import { tmpDir } from '../../test/helpers';
import type { RunContext } from './types';
import { phasePlan } from './work-plan';
import { WorkQueue, type WorkSpec } from './work-queue';

const dirs: string[] = [];
const queues: WorkQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.dispose();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function make(dataDir = tmpDir('dl-work-')) {
  dirs.push(dataDir);
  const events: WorkJob[] = [];
  const removed: string[] = [];
  const q = new WorkQueue({
    dataDir,
    emit: (j) => events.push(j),
    emitRemoved: (id) => removed.push(id),
    log: () => {},
  });
  queues.push(q);
  return { q, events, removed, dataDir };
}

/** A run that reports `steps` units, one per tick, and stops when aborted (as the real runners do). */
function ticking(steps: number, order: string[], name: string, tickMs = 5): WorkSpec['run'] {
  return (ctx: RunContext) =>
    new Promise((resolve, reject) => {
      order.push(`start ${name}`);
      let i = 0;
      const t = setInterval(() => {
        ctx.report({ phase: 'quantize', done: ++i, total: steps });
        if (i >= steps) {
          clearInterval(t);
          order.push(`end ${name}`);
          resolve({ outputPath: `/out/${name}` });
        }
      }, tickMs);
      ctx.signal.addEventListener('abort', () => {
        clearInterval(t);
        order.push(`abort ${name}`);
        reject(new Error('aborted'));
      });
    });
}

const spec = (target: string, run: WorkSpec['run'], after: string | null = null): WorkSpec => ({
  kind: 'quantize',
  modelPath: '/m/src-F16.gguf',
  target,
  after,
  phases: phasePlan('quantize'),
  run,
});

describe('WorkQueue', () => {
  it('runs one job at a time, first queued first, and completes them', async () => {
    const { q, events } = make();
    const order: string[] = [];
    const [a, b] = await q.add([spec('A', ticking(4, order, 'A')), spec('B', ticking(4, order, 'B'))]);
    const doneB = await q.waitFor(b!.id);
    const doneA = await q.get(a!.id);
    expect(order).toEqual(['start A', 'end A', 'start B', 'end B']);
    expect(doneA).toMatchObject({ state: 'completed', progress: 1, phase: 'finished', outputPath: '/out/A' });
    expect(doneB.state).toBe('completed');
    // Snapshots: queued, running, …, completed for each, in that order.
    const statesA = events.filter((e) => e.id === a!.id).map((e) => e.state);
    expect(statesA[0]).toBe('queued');
    expect(statesA.at(-1)).toBe('completed');
    expect((await q.list()).map((j) => j.id).sort()).toEqual([a!.id, b!.id].sort());
  });

  it('a job waits for its dependency and fails with its error', async () => {
    const { q } = make();
    const order: string[] = [];
    const [imx] = await q.add([
      {
        ...spec('imatrix', async () => {
          order.push('imatrix');
          throw new AppError('IMATRIX_FAILED', { reason: 'no text' });
        }),
        kind: 'imatrix',
      },
    ]);
    const [qj] = await q.add([spec('IQ2_XS', ticking(2, order, 'IQ2'), imx!.id)]);
    const got = await q.waitFor(qj!.id);
    expect(got.state).toBe('failed');
    expect(got.error?.code).toBe('IMATRIX_FAILED');
    expect(order).toEqual(['imatrix']);
  });

  it('cancels a queued job at once and a running one through its signal', async () => {
    const { q } = make();
    const order: string[] = [];
    const [a, b] = await q.add([spec('A', ticking(1000, order, 'A')), spec('B', ticking(2, order, 'B'))]);
    const cb = await q.cancel(b!.id);
    expect(cb.state).toBe('cancelled');
    while ((await q.get(a!.id)).state !== 'running') await new Promise((r) => setTimeout(r, 5));
    const ca = await q.cancel(a!.id);
    expect(ca.state).toBe('cancelled');
    expect(order).toEqual(['start A', 'abort A']);
  });

  it('remove: WORK_ACTIVE while live, WORK_NOT_FOUND when unknown, removed after', async () => {
    const { q, removed } = make();
    const [a] = await q.add([spec('A', ticking(1000, [], 'A'))]);
    await expect(q.remove(a!.id)).rejects.toMatchObject({ code: 'WORK_ACTIVE' });
    await expect(q.remove('nope')).rejects.toMatchObject({ code: 'WORK_NOT_FOUND' });
    await q.cancel(a!.id);
    expect(await q.remove(a!.id)).toEqual({ removed: true });
    expect(removed).toEqual([a!.id]);
    expect(await q.list()).toEqual([]);
  });

  it('throttles running snapshots to one per 250 ms and reports speed and ETA', async () => {
    const { q, events } = make();
    const [a] = await q.add([spec('A', ticking(120, [], 'A', 5))]);
    await q.waitFor(a!.id);
    const running = events.filter((e) => e.id === a!.id && e.state === 'running' && e.phase === 'quantize');
    // ~600 ms of ticks every 5 ms: 120 reports, a handful of snapshots.
    expect(running.length).toBeGreaterThan(0);
    expect(running.length).toBeLessThan(12);
    const last = running.at(-1)!;
    expect(last.speed?.unit).toBe('tensors');
    expect(last.speed?.value).toBeGreaterThan(0);
    expect(last.etaSeconds).not.toBeNull();
    expect(last.progress).toBeGreaterThan(0);
    expect(last.progress).toBeLessThanOrEqual(0.9);
  });

  it('a restart finds the list, with queued and running jobs interrupted; dispose interrupts too', async () => {
    const dataDir = tmpDir('dl-work-');
    const first = make(dataDir);
    const order: string[] = [];
    const [a, b] = await first.q.add([spec('A', ticking(1000, order, 'A')), spec('B', ticking(2, order, 'B'))]);
    const [c] = await first.q.add([spec('C', ticking(1, order, 'C'))]);
    await first.q.cancel(c!.id).catch(() => undefined);
    while ((await first.q.get(a!.id)).state !== 'running') await new Promise((r) => setTimeout(r, 5));
    await first.q.dispose();
    expect(order).toEqual(['start A', 'abort A']);
    const second = make(dataDir);
    const byId = new Map((await second.q.list()).map((j) => [j.id, j]));
    expect(byId.get(a!.id)?.state).toBe('interrupted');
    expect(byId.get(b!.id)?.state).toBe('interrupted');
    expect(byId.get(c!.id)?.state).toBe('cancelled');
  });

  it('a crash (no dispose) also comes back interrupted; a damaged list is set aside', async () => {
    const dataDir = tmpDir('dl-work-');
    dirs.push(dataDir);
    const j = {
      ...(await make(dataDir).q.addCompleted({ kind: 'quality', modelPath: '/m/x.gguf', target: 'en' }, {})),
    };
    const file = path.join(dataDir, 'work.json');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    stored.jobs[0].state = 'running';
    fs.writeFileSync(file, JSON.stringify(stored));
    expect((await make(dataDir).q.list())[0]).toMatchObject({ id: j.id, state: 'interrupted' });
    fs.writeFileSync(file, '{ not json');
    expect(await make(dataDir).q.list()).toEqual([]);
    expect(fs.readdirSync(dataDir).some((n) => n.startsWith('work.json.corrupt-'))).toBe(true);
  });

  it('the owner sees the restored list before any method answers, and its failure is only logged', async () => {
    const dataDir = tmpDir('dl-work-');
    dirs.push(dataDir);
    const j = await make(dataDir).q.addCompleted({ kind: 'quality', modelPath: '/m/x.gguf', target: 'en' }, {});
    const file = path.join(dataDir, 'work.json');
    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    stored.jobs[0].state = 'running';
    fs.writeFileSync(file, JSON.stringify(stored));
    const order: string[] = [];
    const logs: string[] = [];
    const q = new WorkQueue({
      dataDir,
      emit: () => {},
      emitRemoved: () => {},
      log: (m) => logs.push(m),
      restored: async (jobs) => {
        await new Promise((r) => setTimeout(r, 20));
        order.push(`restored ${jobs.map((x) => `${x.id}:${x.state}`).join(',')}`);
        throw new Error('disk gone');
      },
    });
    queues.push(q);
    await q.list().then(() => order.push('listed'));
    expect(order).toEqual([`restored ${j.id}:interrupted`, 'listed']);
    expect(logs.join('\n')).toMatch(/leftovers not cleaned up \(disk gone\)/);
  });
});
