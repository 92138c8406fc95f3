/**
 * Whether this process may change GPU power limits without a prompt. POSIX: running as root. Windows: running
 * elevated (an administrator who accepted UAC), read from `whoami /groups`, which lists the process token's
 * integrity level: "Mandatory Label\High Mandatory Level" (S-1-16-12288) or System (S-1-16-16384) when elevated,
 * Medium (S-1-16-8192) otherwise. The SIDs are the same in every Windows language; the names are not.
 */
import type { RunTool } from '../util/run-tool';

const ELEVATED_SIDS = ['S-1-16-12288', 'S-1-16-16384'];

/** Pure: `whoami /groups` output → elevated. */
export function elevatedFromWhoamiGroups(text: string): boolean {
  return ELEVATED_SIDS.some((sid) => new RegExp(`\\b${sid}\\b`).test(text));
}

/** POSIX: running as root (known at once; Windows needs detectPrivileged). */
export const isRoot = (): boolean => process.getuid?.() === 0;

export async function detectPrivileged(platform: string, run: RunTool, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (platform !== 'win32') return isRoot();
  const r = await run('whoami', ['/groups'], { env, timeoutMs: 5000 });
  return r.ok && elevatedFromWhoamiGroups(r.stdout);
}
