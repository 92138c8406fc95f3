import type { LogLine } from '../../../electron/shared/schemas';

/** Lines kept in the renderer; older ones are dropped (the core keeps its own ring buffer). */
export const MAX_LOG_LINES = 5000;

/**
 * Merges the fetched backlog with lines that arrived as events while it was in flight. Both are ordered by
 * seq; overlap is expected and removed.
 */
export function mergeLogs(a: readonly LogLine[], b: readonly LogLine[], max = MAX_LOG_LINES): LogLine[] {
  const bySeq = new Map<number, LogLine>();
  for (const l of a) bySeq.set(l.seq, l);
  for (const l of b) bySeq.set(l.seq, l);
  const all = [...bySeq.values()].sort((x, y) => x.seq - y.seq);
  return all.length > max ? all.slice(all.length - max) : all;
}

/** Appends one live line; the common case (newer than the last) is O(1) apart from the copy. */
export function appendLog(lines: readonly LogLine[], line: LogLine, max = MAX_LOG_LINES): LogLine[] {
  const last = lines[lines.length - 1];
  if (last && line.seq <= last.seq) return mergeLogs(lines, [line], max);
  const next = lines.length >= max ? lines.slice(lines.length - max + 1) : lines.slice();
  next.push(line);
  return next;
}
