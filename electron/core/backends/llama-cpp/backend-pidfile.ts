/**
 * `run/llama-server.pid`: which llama-server we started and which DeepLocal process started it (pid + OS start
 * time), so that the next start can end a backend left by a dead owner and never touch a live owner's backend.
 * The decision itself is decideReap in lock/decide.ts (table-tested); this file does the I/O around it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { decideReap, parseBackendPidRecord, type BackendPidRecord, type OwnerId } from '../../lock/decide';
import { commandLineOf, probeProcess, selfIdentity, type Probe } from '../../lock/process-probe';
import { writeFileAtomic } from '../../util/atomic-write';

export const BACKEND_PID_FILE = 'llama-server.pid';

export async function writeBackendPidFile(
  runDir: string,
  backendPid: number,
  owner?: OwnerId,
  name = BACKEND_PID_FILE,
): Promise<void> {
  const record: BackendPidRecord = { backendPid, owner: owner ?? (await selfIdentity()) };
  await writeFileAtomic(path.join(runDir, name), JSON.stringify(record) + '\n');
}

/** Removes the pid file if it still names this backend (a newer run may already have written its own). */
export async function removeBackendPidFile(runDir: string, backendPid: number, name = BACKEND_PID_FILE): Promise<void> {
  const file = path.join(runDir, name);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text !== null && parseBackendPidRecord(text)?.backendPid === backendPid)
    await fs.rm(file, { force: true }).catch(() => undefined);
}

export interface ReapDeps {
  probe?: Probe;
  commandLine?: (pid: number) => Promise<string | null>;
  kill?: (pid: number) => void;
  /** Another pid file of the same shape (default llama-server.pid) and the program its pid must run. */
  name?: string;
  program?: RegExp;
}

/**
 * At start-up (holding the data folder's lock), ends a llama-server left by a previous owner that died without
 * cleaning up: only when that owner is dead (or its pid reused) and the pid still runs llama-server.
 */
export async function reapStaleBackend(runDir: string, log: (msg: string) => void, deps: ReapDeps = {}): Promise<void> {
  const name = deps.name ?? BACKEND_PID_FILE;
  const what = deps.name ? `${name}'s process` : 'llama-server';
  const file = path.join(runDir, name);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return;
  const record = parseBackendPidRecord(text);
  const ownerProbe = record ? await (deps.probe ?? probeProcess)(record.owner.pid) : null;
  const decision = decideReap(
    record,
    ownerProbe,
    record ? await (deps.commandLine ?? commandLineOf)(record.backendPid) : null,
    deps.program,
  );
  if (decision === 'leave-owner-alive') {
    // Another DeepLocal runs this backend (only possible without the folder lock, e.g. an older version): its file.
    log(
      `${what} ${record!.backendPid} belongs to DeepLocal process ${record!.owner.pid}, which is still running; left alone`,
    );
    return;
  }
  if (decision === 'kill') {
    log(`ending ${what} ${record!.backendPid} left over by DeepLocal process ${record!.owner.pid}, which is gone`);
    try {
      (deps.kill ?? ((pid) => process.kill(pid, 'SIGKILL')))(record!.backendPid);
    } catch {
      /* gone already */
    }
  } else if (decision === 'leave-owner-unknown') {
    log(`${name} names no owner; its process is left alone`);
  }
  await fs.rm(file, { force: true });
}
