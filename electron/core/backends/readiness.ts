/**
 * Pure: is a loading backend ready, still loading, stalled, or gone? Testable without a process (readiness.test.ts,
 * a table like Jan's readiness.ts); a backend's supervisor polls its health check and feeds the answers in here.
 *
 * Like Ollama's wait-until-running: the stall timer restarts whenever load progress moves or the process writes a
 * line, so a big model that loads slowly but steadily never times out, while one that went silent does.
 */
import type { Health } from './backend';

export type Readiness = 'waiting' | 'ready' | 'stalled' | 'failed';

export interface ReadinessInput {
  /** The last health check's answer; null before the first one. */
  health: Health | null;
  /** The process has exited (or never started). */
  exited: boolean;
  /** When load progress last moved (the spawn counts as a move). */
  progressAt: number;
  /** When the process last wrote a line (the spawn counts as one). */
  outputAt: number;
  now: number;
  /** Silence (no progress, no output) longer than this is a stall. */
  stallMs: number;
}

export function readiness(i: ReadinessInput): Readiness {
  if (i.exited) return 'failed';
  if (i.health === 'ok') return 'ready';
  if (i.now - Math.max(i.progressAt, i.outputAt) > i.stallMs) return 'stalled';
  return 'waiting';
}
