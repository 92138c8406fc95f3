import type { LogLine } from '@shared/schemas';
import { appendByKey, mergeByKey } from '../lib/ordered';

/** Lines kept in the renderer; older ones are dropped (the core keeps its own ring buffer). */
export const MAX_LOG_LINES = 5000;

const seqOf = (l: LogLine) => l.seq;

/**
 * Merges the fetched backlog with lines that arrived as events while it was in flight. Both are ordered by
 * seq; overlap is expected and removed.
 */
export function mergeLogs(a: readonly LogLine[], b: readonly LogLine[], max = MAX_LOG_LINES): LogLine[] {
  return mergeByKey(a, b, seqOf, max);
}

/** Appends one live line; the common case (newer than the last) is O(1) apart from the copy. */
export function appendLog(lines: readonly LogLine[], line: LogLine, max = MAX_LOG_LINES): LogLine[] {
  return appendByKey(lines, line, seqOf, max);
}
