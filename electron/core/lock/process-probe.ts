/**
 * Asks the OS whether a pid is running and when it started, so a recorded owner can be told from a later process
 * that got the same pid. The start token is opaque and only compared for equality with one this same code made:
 *   Linux    boot id + start time in clock ticks from /proc/PID/stat (exact; a zombie counts as dead)
 *   macOS    `ps -o lstart= -p PID` (to the second)
 *   Windows  Process.StartTime as a FILETIME through PowerShell (exact; slow, ~0.5 s, once per start)
 * Elsewhere, or when the OS will not say, the token is null and only liveness (kill(pid, 0)) counts.
 */
import fs from 'node:fs/promises';
import type { OwnerId, ProcessProbe } from './decide';
import { runTool } from '../util/run-tool';

export type Probe = (pid: number) => Promise<ProcessProbe>;

/** kill(pid, 0): ESRCH means gone; EPERM means it exists under another user. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: Promise<string> | null = null;
const linuxBootId = () =>
  (bootId ??= fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (s) => s.trim(),
    () => 'boot',
  ));

async function probeLinux(pid: number): Promise<ProcessProbe> {
  let stat: string;
  try {
    stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { alive: false, start: null };
    return { alive: pidExists(pid), start: null }; // /proc hidden (hidepid): liveness only
  }
  // The command name (field 2) is in parentheses and may itself hold spaces and ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '';
  const ticks = fields[19]; // field 22, starttime
  if (state === 'Z' || state === 'X') return { alive: false, start: null };
  return { alive: true, start: ticks && /^\d+$/.test(ticks) ? `${await linuxBootId()}:${ticks}` : null };
}

async function probeDarwin(pid: number): Promise<ProcessProbe> {
  if (!pidExists(pid)) return { alive: false, start: null };
  const r = await runTool('ps', ['-o', 'lstart=', '-p', String(pid)], {
    env: { ...process.env, LC_ALL: 'C' },
    timeoutMs: 5000,
  });
  const start = r.ok ? r.stdout.trim() : '';
  return { alive: true, start: start || null };
}

async function probeWindows(pid: number): Promise<ProcessProbe> {
  if (!pidExists(pid)) return { alive: false, start: null };
  const script = `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToFileTimeUtc()`;
  const r = await runTool('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], {
    timeoutMs: 10_000,
  });
  const start = r.ok ? r.stdout.trim() : '';
  return { alive: true, start: /^\d+$/.test(start) ? start : null };
}

export const probeProcess: Probe = async (pid) => {
  if (!Number.isInteger(pid) || pid < 1) return { alive: false, start: null };
  if (process.platform === 'linux') return probeLinux(pid);
  if (process.platform === 'darwin') return probeDarwin(pid);
  if (process.platform === 'win32') return probeWindows(pid);
  return { alive: pidExists(pid), start: null };
};

let self: Promise<OwnerId> | null = null;
/** This process as an owner record (computed once: our start time does not change). */
export function selfIdentity(): Promise<OwnerId> {
  return (self ??= probeProcess(process.pid).then((p) => ({ pid: process.pid, start: p.start })));
}

/** The command line of a pid; null when it is gone or the OS will not say. */
export async function commandLineOf(pid: number): Promise<string | null> {
  if (!Number.isInteger(pid) || pid < 1) return null;
  let cmd: string | null = null;
  if (process.platform === 'linux') cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  else if (process.platform === 'darwin') {
    const r = await runTool('ps', ['-o', 'command=', '-p', String(pid)], { timeoutMs: 5000 });
    cmd = r.ok ? r.stdout : null;
  } else if (process.platform === 'win32') {
    const script = `(Get-CimInstance Win32_Process -Filter 'ProcessId=${pid}').CommandLine`;
    const r = await runTool('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], {
      timeoutMs: 10_000,
    });
    cmd = r.ok ? r.stdout : null;
  }
  const text = cmd?.replace(/\0/g, ' ').trim();
  return text ? text : null;
}
