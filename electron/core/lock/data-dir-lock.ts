/**
 * One owner per data folder: the window, the headless server and `cli pull` share settings, conversations, the
 * models folder and the backend's pid file, so only one of them may run on a folder at a time. The owner holds
 * `run/deeplocal.lock`, created with O_EXCL and holding its pid, start time, shell and (headless) URL; a second
 * start reads it and refuses with DATA_DIR_LOCKED {dir, url, pid} (DATA_DIR_IN_USE {dir, pid} while the owner has
 * no URL: a window, a CLI pull, a server still starting). A lock whose owner is dead or whose pid now belongs to
 * another program is taken over at once, so a kill -9 or a power cut never needs a manual clean-up.
 *
 * Why this and not proper-lockfile (npm: mkdir plus an mtime refreshed every few seconds, stale after ~10 s):
 * asking the OS about the recorded pid and its start time is exact on one machine, so a suspended or busy owner
 * (laptop asleep, a stalled event loop) never loses its lock and a dead one's lock is free at once rather than
 * after a timeout; the file carries what the refusal message needs (the URL); no timer writes to the folder and
 * there is no dependency. What it gives up: owners on other machines sharing the folder over a network file
 * system (their pids mean nothing here), which DeepLocal does not support.
 */
import { randomBytes } from 'node:crypto';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { writeFileAtomic, WriteQueue } from '../util/atomic-write';
import { decideLock, parseLockRecord, type LockRecord, type OwnerId } from './decide';
import { probeProcess, selfIdentity, type Probe } from './process-probe';

export const LOCK_FILE = path.join('run', 'deeplocal.lock');
/** A takeover holds `<lock>.takeover` for milliseconds; one older than this was left by a start that died in it. */
const GUARD_STALE_MS = 10_000;
const MAX_ATTEMPTS = 300;

export interface DataDirLock {
  readonly file: string;
  record(): LockRecord;
  /** The stale owner this start replaced, for the log. */
  readonly tookOverFrom: { pid: number; why: string } | null;
  /** Records where this owner answers (headless: its HTTP origin), for the message a second start prints. */
  setUrl(url: string | null): Promise<void>;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  shell: LockRecord['shell'];
  url?: string | null;
  probe?: Probe;
  self?: () => Promise<OwnerId>;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;
/** Windows refuses to open a file another process is renaming or deleting for a moment. */
const transient = (e: unknown) => process.platform === 'win32' && (errno(e) === 'EPERM' || errno(e) === 'EBUSY');

interface Seen {
  text: string;
  mtimeMs: number;
  ino: number;
}

async function readLock(file: string): Promise<Seen | null | 'retry'> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    if (transient(e)) return 'retry';
    throw e;
  }
}

export function lockedError(dir: string, r: LockRecord): AppError {
  return r.url
    ? new AppError('DATA_DIR_LOCKED', { dir, url: r.url, pid: r.pid })
    : new AppError('DATA_DIR_IN_USE', { dir, pid: r.pid });
}

export async function acquireDataDirLock(dataDir: string, opts: AcquireOptions): Promise<DataDirLock> {
  const probe = opts.probe ?? probeProcess;
  const now = opts.now ?? Date.now;
  const file = path.join(dataDir, LOCK_FILE);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me = await (opts.self ?? selfIdentity)();
  let record: LockRecord = {
    v: 1,
    pid: me.pid,
    start: me.start,
    nonce: randomBytes(12).toString('hex'),
    shell: opts.shell,
    url: opts.url ?? null,
    since: now(),
  };
  let tookOverFrom: DataDirLock['tookOverFrom'] = null;

  for (let attempt = 0; ; attempt++) {
    if (attempt >= MAX_ATTEMPTS) throw new AppError('INTERNAL', { reason: `could not take the lock ${file}` });
    try {
      // One write call right after the exclusive create: readers see it empty for at most a moment (SETTLE_MS).
      await fs.writeFile(file, JSON.stringify(record) + '\n', { flag: 'wx', mode: 0o600 });
      break;
    } catch (e) {
      if (errno(e) !== 'EEXIST' && !transient(e)) throw e;
    }
    const seen = await readLock(file);
    if (seen === null) continue; // released between our create and our read
    if (seen === 'retry') {
      await sleep(50);
      continue;
    }
    const parsed = parseLockRecord(seen.text);
    const verdict = decideLock(parsed, now() - seen.mtimeMs, parsed ? await probe(parsed.pid) : null);
    if (verdict.kind === 'held') throw lockedError(dataDir, verdict.record);
    if (verdict.kind === 'settling') {
      await sleep(100);
      continue;
    }
    if (await takeOver(file, seen, now)) tookOverFrom = { pid: verdict.record?.pid ?? 0, why: verdict.why };
  }

  const queue = new WriteQueue();
  let released = false;
  const ours = (text: string | null) => text !== null && parseLockRecord(text)?.nonce === record.nonce;
  // A process that exits without disposing (process.exit on a fatal error) still leaves the folder free.
  const onExit = () => {
    try {
      if (!released && ours(fsSync.readFileSync(file, 'utf8'))) fsSync.rmSync(file, { force: true });
    } catch {
      /* gone already */
    }
  };
  process.on('exit', onExit);

  return {
    file,
    tookOverFrom,
    record: () => record,
    setUrl: (url) =>
      queue.run(async () => {
        if (released || !ours(await fs.readFile(file, 'utf8').catch(() => null))) return;
        record = { ...record, url };
        await writeFileAtomic(file, JSON.stringify(record) + '\n', 0o600, { durable: false });
      }),
    release: () =>
      queue.run(async () => {
        if (released) return;
        released = true;
        process.off('exit', onExit);
        if (ours(await fs.readFile(file, 'utf8').catch(() => null))) await fs.rm(file, { force: true });
      }),
  };
}

/**
 * Removes the lock judged stale, exactly that one: under a guard file (so two starts cannot both take over and
 * one delete the other's fresh lock) and only if the file is still the one we read (same content, inode, mtime).
 * Returns whether it removed it; the caller tries to create the lock again either way.
 */
async function takeOver(file: string, seen: Seen, now: () => number): Promise<boolean> {
  const guard = `${file}.takeover`;
  try {
    await fs.writeFile(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if (errno(e) !== 'EEXIST' && !transient(e)) throw e;
    const st = await fs.stat(guard).catch(() => null);
    if (st && Math.abs(now() - st.mtimeMs) > GUARD_STALE_MS) await fs.rm(guard, { force: true });
    await sleep(50);
    return false;
  }
  try {
    const current = await readLock(file);
    if (current === null || current === 'retry') return false;
    if (current.text !== seen.text || current.ino !== seen.ino || current.mtimeMs !== seen.mtimeMs) return false;
    await fs.rm(file, { force: true });
    return true;
  } finally {
    await fs.rm(guard, { force: true });
  }
}
