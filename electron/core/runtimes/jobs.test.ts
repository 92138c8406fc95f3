/** Job snapshots: every phase change at once, bytes at most every 250 ms, speed and ETA, cancel, one job per variant. */
import { describe, expect, it } from 'vitest';
import type { RuntimeJob } from '../../shared/runtimes';
import { AppError } from '../../shared/errors';
import { RuntimeJobs, type JobContext } from './jobs';

function setup() {
  let t = 1000;
  const sent: RuntimeJob[] = [];
  const jobs = new RuntimeJobs(
    (j) => sent.push(j),
    () => t,
  );
  let ctx!: JobContext;
  let finish!: (id: string) => void;
  let fail!: (e: unknown) => void;
  const run = (c: JobContext) =>
    new Promise<string>((res, rej) => {
      ctx = c;
      finish = res;
      fail = rej;
      c.signal.addEventListener('abort', () => rej(new Error('aborted')));
    });
  return {
    jobs,
    sent,
    run,
    ctx: () => ctx,
    finish: (id: string) => finish(id),
    fail: (e: unknown) => fail(e),
    tick: (ms: number) => (t += ms),
  };
}

describe('RuntimeJobs', () => {
  it('sends phase changes at once and bytes at most every 250 ms, with speed and ETA', async () => {
    const s = setup();
    const job = s.jobs.start('vulkan', 'b1', s.run);
    expect(s.sent.map((j) => j.phase)).toEqual(['resolve']);
    s.ctx().progress({ phase: 'download', receivedBytes: 0, totalBytes: 10_000 });
    expect(s.sent).toHaveLength(2);
    // Four updates within 250 ms: none sent.
    for (let i = 1; i <= 4; i++) {
      s.tick(50);
      s.ctx().progress({ phase: 'download', receivedBytes: i * 100 });
    }
    expect(s.sent).toHaveLength(2);
    s.tick(400); // 600 ms after the start of the download, 1000 bytes received
    s.ctx().progress({ phase: 'download', receivedBytes: 1000 });
    expect(s.sent).toHaveLength(3);
    const last = s.sent.at(-1)!;
    expect(last.bytesPerSecond).toBe(Math.round(1000 / 0.6));
    expect(last.etaSeconds).toBe(Math.ceil(9000 / (1000 / 0.6)));
    s.ctx().progress({ phase: 'verify' });
    expect(s.sent.at(-1)).toMatchObject({
      phase: 'verify',
      bytesPerSecond: null,
      etaSeconds: null,
      receivedBytes: 1000,
    });
    s.finish('b1-vulkan');
    const done = await s.jobs.wait(job.id);
    expect(done).toMatchObject({ phase: 'done', runtimeId: 'b1-vulkan', error: null });
    expect(s.sent.at(-1)).toEqual(done);
  });

  it('one job per variant at a time', () => {
    const s = setup();
    s.jobs.start('cpu', null, s.run);
    expect(() => s.jobs.start('cpu', null, s.run)).toThrow(expect.objectContaining({ code: 'RUNTIME_BUSY' }));
    expect(() => s.jobs.start('vulkan', null, () => new Promise(() => undefined))).not.toThrow();
  });

  it('a failure is an error value; a cancel aborts the signal and ends as cancelled', async () => {
    const s = setup();
    const a = s.jobs.start('cpu', null, s.run);
    s.fail(new AppError('RUNTIME_DIGEST_MISMATCH', { asset: 'x.zip', expected: 'ab' }));
    expect(await s.jobs.wait(a.id)).toMatchObject({ phase: 'failed', error: { code: 'RUNTIME_DIGEST_MISMATCH' } });

    const b = s.jobs.start('cpu', null, s.run);
    expect(s.jobs.cancel(b.id).phase).toBe('resolve');
    expect(s.ctx().signal.aborted).toBe(true);
    expect(await s.jobs.wait(b.id)).toMatchObject({ phase: 'cancelled', error: null });
    expect(() => s.jobs.cancel('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
