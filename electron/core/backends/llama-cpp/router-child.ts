/**
 * How we run and talk to a llama-server run as a router child (LLAMA_SERVER_ROUTER_PORT set): it reports load progress as
 * `cmd_child_to_router:state:{json}` lines on stdout, answers /health (503 while loading), and leaves when told on
 * stdin or signalled. The supervisor (supervisor.ts) decides when; this file only speaks the protocol.
 */
import type { ChildProcess, spawn as spawnFn } from 'node:child_process';
import type { Health } from '../backend';

/** Spawns llama-server as a router child (LLAMA_SERVER_ROUTER_PORT set): it exits when its stdin closes. */
export function spawnRouterChild(
  spawn: typeof spawnFn,
  binaryPath: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const child = spawn(binaryPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...env, LLAMA_SERVER_ROUTER_PORT: '0' },
    windowsHide: true,
  });
  // A closed stdin is how llama-server learns we are gone; writes after its exit must not crash us.
  child.stdin!.on('error', () => undefined);
  return child;
}

export const STATE_PREFIX = 'cmd_child_to_router:state:';
const EXIT_COMMAND = 'cmd_router_to_child:exit\n';

/**
 * A router state line's JSON (after STATE_PREFIX): the load progress (0…1) when it reports one, null for any other
 * state, undefined when it cannot be read (the caller logs the line as plain output).
 */
export function parseRouterState(json: string): number | null | undefined {
  try {
    const msg = JSON.parse(json) as { state?: string; payload?: { value?: number } };
    if (msg.state === 'loading' && typeof msg.payload?.value === 'number') {
      return Math.max(0, Math.min(1, msg.payload.value));
    }
    return null;
  } catch {
    return undefined;
  }
}

/** GET /health on the child's port: 200 is ok, any other reply not ready, no reply unreachable. */
export async function probeHealth(fetchFn: typeof fetch, port: number): Promise<Health> {
  try {
    const res = await fetchFn(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status === 200 ? 'ok' : 'not-ready';
  } catch {
    return 'unreachable';
  }
}

/**
 * Asks the child to exit (the router's exit command, then SIGTERM: llama-server finishes cleanly) and SIGKILLs it
 * after `graceMs`; resolves when `exited` does.
 */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.stdin?.write(EXIT_COMMAND);
  } catch {
    /* already closed */
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
