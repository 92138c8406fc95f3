/**
 * When a streaming reply's text is written to the store (pure; persist-policy.test.ts). Every write of a growing
 * reply rewrites its text so far, so writes are bounded in rate: at most one per `intervalMs`, sooner only when
 * `maxChars` new characters are waiting (a fast model must not leave much unsaved). What a reload or a second window
 * misses between two writes it gets from the live stream (the core overlays the text it holds in memory).
 */
export interface PersistPolicy {
  intervalMs: number;
  maxChars: number;
}

export const DEFAULT_PERSIST_POLICY: PersistPolicy = { intervalMs: 1000, maxChars: 16 * 1024 };

export interface Persisted {
  /** When the text was last written (ms, any monotonic clock). */
  at: number;
  /** Its length then (content + reasoning). */
  length: number;
}

/** Milliseconds until the next write is due: 0 now, null when nothing new waits. */
export function persistDelay(policy: PersistPolicy, last: Persisted, now: number, length: number): number | null {
  if (length <= last.length) return null;
  if (length - last.length >= policy.maxChars) return 0;
  return Math.max(0, last.at + policy.intervalMs - now);
}
