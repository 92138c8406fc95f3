/**
 * The data folder lock on a real folder with real processes: who holds it, what a second start is told, and that
 * a lock left by a dead owner, a reused pid or a half-written file is taken over without anyone cleaning up.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, formatError } from '../../shared/errors';
import { acquireDataDirLock, LOCK_FILE, type DataDirLock } from './data-dir-lock';
import type { LockRecord } from './decide';
import { probeProcess, selfIdentity } from './process-probe';

const held: DataDirLock[] = [];
afterEach(async () => {
  for (const l of held.splice(0)) await l.release();
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dl-lock-'));
async function acquire(dir: string, shell: LockRecord['shell'] = 'browser') {
  const l = await acquireDataDirLock(dir, { shell });
  held.push(l);
  return l;
}
async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected the lock to be refused');
}
/** A pid that existed a moment ago and is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}
function writeLock(dir: string, rec: Partial<LockRecord> | string, ageMs = 0) {
  const file = path.join(dir, LOCK_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const base: LockRecord = {
    v: 1,
    pid: 1,
    start: null,
    nonce: 'feedfacefeedface',
    shell: 'browser',
    url: null,
    since: Date.now(),
  };
  fs.writeFileSync(file, typeof rec === 'string' ? rec : JSON.stringify({ ...base, ...rec }));
  if (ageMs) {
    const t = (Date.now() - ageMs) / 1000;
    fs.utimesSync(file, t, t);
  }
  return file;
}
const readLock = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockRecord;

describe('data folder lock', () => {
  it('records its owner; a second start is refused with the owner, and with its URL once known', async () => {
    const dir = tmp();
    const first = await acquire(dir);
    const rec = readLock(dir);
    expect(rec).toMatchObject({ pid: process.pid, shell: 'browser', url: null, start: (await selfIdentity()).start });
    if (process.platform === 'linux') expect(rec.start).toMatch(/^.+:\d+$/);

    const inUse = await refusal(acquireDataDirLock(dir, { shell: 'cli' }));
    expect(inUse.code).toBe('DATA_DIR_IN_USE');
    expect(inUse.params).toEqual({ dir, pid: process.pid });

    await first.setUrl('http://127.0.0.1:4321');
    const locked = await refusal(acquireDataDirLock(dir, { shell: 'browser' }));
    expect(locked.code).toBe('DATA_DIR_LOCKED');
    expect(locked.message).toBe(
      `DeepLocal is already running with the folder ${dir}, at http://127.0.0.1:4321 (process ${process.pid}). Use that one, or stop it first.`,
    );
    expect(formatError('zh-CN', locked.code, locked.params)).toContain('地址为 http://127.0.0.1:4321');

    await first.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await acquire(dir);
    expect(again.tookOverFrom).toBeNull();
  });

  it.each([
    {
      why: 'owner killed (pid gone)',
      lock: () => ({ pid: deadPid(), start: 'x:1' }),
      ageMs: 60_000,
      want: 'owner-dead',
    },
    { why: 'owner killed a moment ago', lock: () => ({ pid: deadPid(), start: null }), ageMs: 0, want: 'owner-dead' },
    // Our own pid with another start time: the pid was reused after the recorded owner died (containers restart at pid 1).
    {
      why: 'pid reused by a later process',
      lock: () => ({ pid: process.pid, start: 'other-boot:1' }),
      ageMs: 60_000,
      want: 'pid-reused',
    },
    { why: 'malformed (cut short by a power cut)', lock: () => '{"v":1,"pid":', ageMs: 60_000, want: 'malformed' },
    { why: 'empty and old', lock: () => '', ageMs: 60_000, want: 'malformed' },
  ])('takes over a stale lock: $why', async ({ lock, ageMs, want }) => {
    const dir = tmp();
    writeLock(dir, lock(), ageMs);
    const l = await acquire(dir);
    expect(l.tookOverFrom?.why).toBe(want);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, nonce: l.record().nonce });
  });

  it('waits for a lock being written instead of taking it over, then refuses', async () => {
    const dir = tmp();
    const file = writeLock(dir, '');
    const self = await selfIdentity();
    // The creator writes its record a moment after creating the file (the window between O_EXCL and write).
    setTimeout(
      () =>
        fs.writeFileSync(
          file,
          JSON.stringify({
            v: 1,
            pid: self.pid,
            start: self.start,
            nonce: 'beefbeefbeefbeef',
            shell: 'electron',
            url: null,
            since: Date.now(),
          }),
        ),
      300,
    );
    const e = await refusal(acquireDataDirLock(dir, { shell: 'browser' }));
    expect(e.code).toBe('DATA_DIR_IN_USE');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).nonce).toBe('beefbeefbeefbeef');
  });

  it('many starts racing over one stale lock: exactly one wins, the others are refused', async () => {
    for (let round = 0; round < 10; round++) {
      const dir = tmp();
      writeLock(dir, { pid: deadPid() }, 60_000);
      // Each start asks the OS at its own pace, so one judges the old lock stale after another has replaced it.
      const slowProbe = async (pid: number) => {
        await new Promise((r) => setTimeout(r, Math.random() * 30));
        return probeProcess(pid);
      };
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => acquireDataDirLock(dir, { shell: 'browser', probe: slowProbe })),
      );
      const won = results
        .filter((r): r is PromiseFulfilledResult<DataDirLock> => r.status === 'fulfilled')
        .map((r) => r.value);
      held.push(...won);
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('DATA_DIR_IN_USE');
      expect(readLock(dir).nonce).toBe(won[0]!.record().nonce);
      expect(fs.existsSync(path.join(dir, LOCK_FILE + '.takeover'))).toBe(false);
    }
  });

  it('a takeover guard left by a start that died mid-takeover is cleared', async () => {
    const dir = tmp();
    const file = writeLock(dir, { pid: deadPid() }, 60_000);
    fs.writeFileSync(file + '.takeover', '1');
    const t = (Date.now() - 60_000) / 1000;
    fs.utimesSync(file + '.takeover', t, t);
    const l = await acquire(dir);
    expect(l.tookOverFrom?.why).toBe('owner-dead');
  });

  it('release and setUrl leave alone a lock that is no longer ours', async () => {
    const dir = tmp();
    const mine = await acquire(dir);
    // Someone judged us dead and took over (cannot happen while we run, but our release must not undo theirs).
    writeLock(dir, { pid: process.pid, nonce: 'theirstheirstheirs' });
    await mine.setUrl('http://127.0.0.1:1');
    await mine.release();
    expect(readLock(dir)).toMatchObject({ nonce: 'theirstheirstheirs', url: null });
  });

  it('probes: this process is alive with a start time, an exited one is dead', async () => {
    const me = await probeProcess(process.pid);
    expect(me.alive).toBe(true);
    if (process.platform === 'linux' || process.platform === 'darwin') expect(me.start).toBeTruthy();
    expect((await probeProcess(deadPid())).alive).toBe(false);
  });
});
