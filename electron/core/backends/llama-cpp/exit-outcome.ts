/**
 * Pure: what llama-server's exit means, from the state its run was in. Testable without a process
 * (exit-outcome.test.ts); the supervisor (supervisor.ts) does what the answer says.
 */
import type { BackendState } from '../../../shared/schemas';

/** Spawns per start when the port is taken between our probe and llama-server's bind. */
export const PORT_RETRIES = 3;

export type ExitOutcome =
  /** Nothing to report: the run already failed (the stall timeout killed it), or a later run has begun. */
  | { kind: 'ignore' }
  /** We asked it to stop. */
  | { kind: 'stopped' }
  /** It could not bind its port: spawn again on another one. */
  | { kind: 'retry-port' }
  /** It died on its own, while loading or while serving. */
  | { kind: 'crashed'; phase: 'loading' | 'running' };

export interface ExitInput {
  /** The run's state at the exit; null when a later run has begun since. */
  state: BackendState | null;
  /** Its stderr said the port was in use. */
  bindFailed: boolean;
  /** Which spawn of this start it was (1 for the first). */
  attempt: number;
}

export function exitOutcome(i: ExitInput): ExitOutcome {
  // Already failed (stall timeout): the exit we caused is not the reason.
  if (i.state === 'crashed' || i.state === null) return { kind: 'ignore' };
  if (i.state === 'stopping') return { kind: 'stopped' };
  // Someone took the port between our probe and its bind: try another one.
  if (i.bindFailed && i.state === 'loading' && i.attempt < PORT_RETRIES) return { kind: 'retry-port' };
  return { kind: 'crashed', phase: i.state === 'ready' ? 'running' : 'loading' };
}
