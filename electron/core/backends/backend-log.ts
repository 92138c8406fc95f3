/**
 * A backend's log for the Logs page: its stdout/stderr lines and the app's own notes around them, in one bounded
 * ring (the oldest lines go first), numbered so a client can tell what it has already seen.
 */
import type { LogLine } from '../../shared/schemas';
import { RingBuffer } from '../util/ring-buffer';

export class BackendLog {
  private readonly lines: RingBuffer<LogLine>;
  private readonly listeners = new Set<(l: LogLine) => void>();
  private seq = 0;

  constructor(
    capacity = 2000,
    private readonly now: () => number = Date.now,
  ) {
    this.lines = new RingBuffer<LogLine>(capacity);
  }

  push(stream: LogLine['stream'], text: string): void {
    const line: LogLine = { seq: ++this.seq, ts: this.now(), stream, text };
    this.lines.push(line);
    for (const l of this.listeners) l(line);
  }

  recent(limit?: number): LogLine[] {
    return this.lines.last(limit);
  }

  onLine(listener: (l: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
