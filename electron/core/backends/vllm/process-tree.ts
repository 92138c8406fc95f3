/**
 * vLLM runs as a tree (the API server, its EngineCore, one worker per GPU), so it is started in a process group of
 * its own (detached on POSIX) and signalled as a group: SIGTERM, then SIGKILL after the grace period, reach every
 * process of it. When the app dies without stopping it (kill -9, a crash), nothing would: Python has no "exit when
 * stdin closes" of its own, so a watchdog does it: a /bin/sh holding a pipe from us; when the pipe closes (we are
 * gone) it ends vLLM's group, SIGTERM then SIGKILL. We end the watchdog when vLLM exits or is stopped. The pid file (run/vllm.pid, reaped at the next start) covers what is left after
 * that (the watchdog killed too, Windows). On Windows there are no process groups: taskkill /T ends the tree.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';

/**
 * The watchdog: a shell that reads its stdin (our pipe) until end of file with the `read` builtin (no process of its
 * own while it waits), then ends the group: SIGTERM, the grace period, SIGKILL. $1 = the group, $2 = seconds.
 * A shell, not Node: the packaged Electron app cannot run as Node (ELECTRON_RUN_AS_NODE is fused off).
 */
export const WATCHDOG_SCRIPT =
  'while read -r _; do :; done; kill -s TERM -- "-$1" 2>/dev/null; sleep "$2"; kill -s KILL -- "-$1" 2>/dev/null; exit 0';

export function spawnGroup(
  spawn: typeof spawnFn,
  exe: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  /** A pipe on stdin (closing it stops the run: vLLM inside WSL2, launch.ts WSL_RUN_SCRIPT). */
  stdinPipe = false,
): ChildProcess {
  const child = spawn(exe, args, {
    stdio: [stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env,
    detached: platform !== 'win32',
    windowsHide: true,
  });
  child.stdin?.on('error', () => undefined);
  return child;
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
  o: { shell?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv } = {},
): ChildProcess | null {
  if ((o.platform ?? process.platform) === 'win32') return null;
  try {
    const seconds = String(Math.max(1, Math.ceil(graceMs / 1000)));
    const w = spawn(o.shell ?? '/bin/sh', ['-c', WATCHDOG_SCRIPT, 'deeplocal-vllm-watchdog', String(pgid), seconds], {
      // Its own group: stopping vLLM's group leaves it, and a terminal's Ctrl-C for the app does not reach it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Only PATH (for sleep and kill): nothing of vLLM's environment (its key) reaches it.
      env: { PATH: (o.env ?? process.env).PATH ?? '/usr/bin:/bin' },
    });
    w.on('error', () => undefined);
    w.stdin?.on('error', () => undefined);
    return w;
  } catch {
    return null;
  }
}

/** Ends a watchdog we no longer need (vLLM stopped or exited): its whole group, so it signals nothing. */
export function endWatchdog(w: ChildProcess | null): void {
  if (!w?.pid || w.exitCode !== null || w.signalCode !== null) return;
  try {
    process.kill(-w.pid, 'SIGKILL');
  } catch {
    w.kill('SIGKILL');
  }
}
