/**
 * The status of a backend with no run: what every kind starts from and returns to (`kind` defaults to llama-cpp).
 * Shared: the core's backends start from it, and tests and stand-ins build their statuses on it.
 */
import type { BackendStatus } from './schemas';

export const idleStatus = (runId: number, extra: Partial<BackendStatus> = {}): BackendStatus => ({
  state: 'stopped',
  seq: 0,
  runId,
  model: null,
  options: null,
  progress: null,
  phase: null,
  pid: null,
  startedAt: null,
  readyAt: null,
  error: null,
  binaryPath: null,
  recovery: null,
  kind: 'llama-cpp',
  target: null,
  ...extra,
});
