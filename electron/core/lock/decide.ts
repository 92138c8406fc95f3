/**
 * Pure decisions behind "one owner per data folder" (data-dir-lock.ts) and the stale-backend reaper
 * (backends/llama-cpp/backend-pidfile.ts): is a recorded owner still the process that wrote the record, and what to do with
 * a lock file found on disk. Testable without processes or files (decide.test.ts).
 */
import { z } from 'zod';

/**
 * A process as recorded by itself: its pid plus an OS start-time token (process-probe.ts), so a pid the OS has
 * since given to another program is not mistaken for the owner. `start` is null where the OS would not tell.
 */
export interface OwnerId {
  pid: number;
  start: string | null;
}

/** What the OS says about a pid now. */
export interface ProcessProbe {
  alive: boolean;
  start: string | null;
}

export type Liveness = 'alive' | 'dead' | 'reused';

export function judgeOwner(owner: OwnerId, probe: ProcessProbe): Liveness {
  if (!probe.alive) return 'dead';
  // Both start times known and different: the pid now belongs to a process started later.
  if (owner.start !== null && probe.start !== null && owner.start !== probe.start) return 'reused';
  // Alive, and either the same process or one we cannot tell apart: err on the side of "still running".
  return 'alive';
}

const Pid = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const LockRecord = z.object({
  v: z.literal(1),
  pid: Pid,
  start: z.string().max(200).nullable(),
  /** Random per acquisition: tells this lock from an identical-looking later one (release, URL update). */
  nonce: z.string().min(8).max(64),
  shell: z.enum(['electron', 'browser', 'cli']),
  /** Where the owner answers (headless: its HTTP origin), once known; never the token. */
  url: z.string().max(2000).nullable(),
  since: z.number(),
});
export type LockRecord = z.infer<typeof LockRecord>;

export function parseLockRecord(text: string): LockRecord | null {
  try {
    const r = LockRecord.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/**
 * A lock file is created and then written (two steps), so a reader may see it empty for a moment: content that
 * does not parse is only treated as abandoned once the file is older than this.
 */
export const SETTLE_MS = 2000;

export type LockVerdict =
  | { kind: 'held'; record: LockRecord }
  | { kind: 'stale'; why: 'owner-dead' | 'pid-reused' | 'malformed'; record: LockRecord | null }
  | { kind: 'settling' };

/**
 * `record` is the parsed lock file (null: did not parse), `ageMs` how long ago it was last written, `probe` what
 * the OS says about the recorded pid (null when there is no record to ask about).
 */
export function decideLock(record: LockRecord | null, ageMs: number, probe: ProcessProbe | null): LockVerdict {
  if (!record || !probe) {
    // A clock set back makes a fresh file look old or from the future; either way only a recent write is settling.
    return Math.abs(ageMs) < SETTLE_MS ? { kind: 'settling' } : { kind: 'stale', why: 'malformed', record: null };
  }
  const liveness = judgeOwner(record, probe);
  if (liveness === 'alive') return { kind: 'held', record };
  return { kind: 'stale', why: liveness === 'dead' ? 'owner-dead' : 'pid-reused', record };
}

/** The backend pid file: which llama-server we started, and which DeepLocal process started it. */
export const BackendPidRecord = z.object({
  backendPid: Pid,
  owner: z.object({ pid: Pid, start: z.string().max(200).nullable() }),
});
export type BackendPidRecord = z.infer<typeof BackendPidRecord>;

export type ReapDecision = 'kill' | 'leave-owner-alive' | 'leave-not-llama-server' | 'leave-owner-unknown';

/**
 * A recorded backend is ended at start-up only when its owner is gone and the pid still runs llama-server:
 * a live owner (another DeepLocal on this folder) keeps its backend, and a pid reused by another program is
 * never killed. A file without an owner (older versions wrote a bare pid) cannot prove the owner dead.
 */
export function decideReap(
  record: BackendPidRecord | null,
  ownerProbe: ProcessProbe | null,
  backendCommandLine: string | null,
  /** The program the recorded pid must still run (the quant tools' file names theirs). */
  program: RegExp = /llama-server/,
): ReapDecision {
  if (!record || !ownerProbe) return 'leave-owner-unknown';
  if (judgeOwner(record.owner, ownerProbe) === 'alive') return 'leave-owner-alive';
  return backendCommandLine !== null && program.test(backendCommandLine) ? 'kill' : 'leave-not-llama-server';
}

export function parseBackendPidRecord(text: string): BackendPidRecord | null {
  try {
    const r = BackendPidRecord.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
