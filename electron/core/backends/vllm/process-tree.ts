/**
 * vLLM runs as a tree (the API server, its EngineCore, one worker per GPU), so it is started in a process group of
 * its own (detached on POSIX) and signalled as a group: SIGTERM, then SIGKILL after the grace period, reach every
 * process of it. When the app dies without stopping it (kill -9, a crash), nothing would: Python has no "exit when
 * stdin closes" of its own, so a watchdog does it. The watchdog is a tiny Node process (our own executable, as Node)
 * holding a pipe from us: when the pipe closes (we are gone) it ends vLLM's group, SIGTERM then SIGKILL. It leaves
 * by itself when the group is gone. The pid file (run/vllm.pid, reaped at the next start) covers what is left after
 * that (the watchdog killed too, Windows). On Windows there are no process groups: taskkill /T ends the tree.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';

export const WATCHDOG_SOURCE = `
const pg = Number(process.argv[1]);
const grace = Number(process.argv[2]) || 5000;
let ending = false;
const gone = () => { try { process.kill(-pg, 0); return false; } catch { return true; } };
const end = () => {
  if (ending) return;
  ending = true;
  try { process.kill(-pg, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(-pg, 'SIGKILL'); } catch {} process.exit(0); }, grace);
};
process.stdin.on('end', end);
process.stdin.on('close', end);
process.stdin.on('error', end);
process.stdin.resume();
setInterval(() => { if (gone()) process.exit(0); }, 1000);
`;

export function spawnGroup(
  spawn: typeof spawnFn,
  exe: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): ChildProcess {
  return spawn(exe, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    detached: platform !== 'win32',
    windowsHide: true,
  });
}

/** Signals the whole group (POSIX) or tree (Windows: taskkill /T, forced for SIGKILL). Never throws. */
export function signalTree(
  spawn: typeof spawnFn,
  child: Pick<ChildProcess, 'pid' | 'kill'>,
  signal: 'SIGTERM' | 'SIGKILL',
  platform: NodeJS.Platform = process.platform,
): void {
  const pid = child.pid;
  if (!pid) return;
  if (platform === 'win32') {
    try {
      const args = ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])];
      spawn('taskkill', args, { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    } catch {
      /* no taskkill */
    }
    if (signal === 'SIGKILL') child.kill('SIGKILL');
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

/** Ends what is left of a group whose leader has exited (its EngineCore or workers); ESRCH when none is. */
export function killGroupRest(pid: number | undefined, platform: NodeJS.Platform = process.platform): void {
  if (!pid || platform === 'win32') return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* nothing left */
  }
}

/** Starts the watchdog for group `pgid` (POSIX only; null on Windows or when it cannot start). */
export function startWatchdog(
  spawn: typeof spawnFn,
  pgid: number,
  graceMs: number,
  o: { execPath?: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {},
): ChildProcess | null {
  if ((o.platform ?? process.platform) === 'win32') return null;
  try {
    const w = spawn(o.execPath ?? process.execPath, ['-e', WATCHDOG_SOURCE, String(pgid), String(graceMs)], {
      // Its own group: stopping vLLM's group leaves it, and a terminal's Ctrl-C for the app does not reach it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Electron's executable runs as plain Node with this set.
      env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    w.on('error', () => undefined);
    w.stdin?.on('error', () => undefined);
    return w;
  } catch {
    return null;
  }
}

/** Ends a watchdog we no longer need (vLLM stopped or exited): SIGKILL, so it does not signal anything. */
export function endWatchdog(w: ChildProcess | null): void {
  if (!w || w.exitCode !== null || w.signalCode !== null) return;
  try {
    w.kill('SIGKILL');
  } catch {
    /* gone */
  }
}
