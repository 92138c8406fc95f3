import { describe, expect, it } from 'vitest';
import type { LogLine } from '@shared/schemas';
import { appendLog, mergeLogs } from './logs';

const L = (seq: number): LogLine => ({ seq, ts: seq, stream: 'stderr', text: `line ${seq}` });
const seqs = (ls: LogLine[]) => ls.map((l) => l.seq);

describe('mergeLogs', () => {
  it('removes the overlap between the backlog and lines that arrived as events during the fetch', () => {
    expect(seqs(mergeLogs([L(1), L(2), L(3)], [L(3), L(4)]))).toEqual([1, 2, 3, 4]);
  });
  it('orders by seq whatever order the two lists come in', () => {
    expect(seqs(mergeLogs([L(5)], [L(2), L(9)]))).toEqual([2, 5, 9]);
  });
  it('keeps only the newest lines past the cap', () => {
    expect(seqs(mergeLogs([L(1), L(2), L(3)], [L(4)], 2))).toEqual([3, 4]);
  });
});

describe('appendLog', () => {
  it('appends a newer line without touching the input', () => {
    const a = [L(1)];
    expect(seqs(appendLog(a, L(2)))).toEqual([1, 2]);
    expect(seqs(a)).toEqual([1]);
  });
  it('ignores a duplicate (reconnect replays)', () => {
    expect(seqs(appendLog([L(1), L(2)], L(2)))).toEqual([1, 2]);
  });
  it('drops the oldest at the cap', () => {
    expect(seqs(appendLog([L(1), L(2)], L(3), 2))).toEqual([2, 3]);
  });
});
