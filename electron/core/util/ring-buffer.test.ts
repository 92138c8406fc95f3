/** RingBuffer keeps the backend log bounded however long the app runs; order and last(n) feed the log view. */
import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer';

const filled = (capacity: number, n: number) => {
  const rb = new RingBuffer<number>(capacity);
  for (let i = 1; i <= n; i++) rb.push(i);
  return rb;
};

describe('RingBuffer', () => {
  it.each([0, -1, 1.5, NaN, Infinity])('rejects capacity %s', (c) => {
    expect(() => new RingBuffer(c)).toThrow(RangeError);
  });

  it.each([
    { name: 'empty', capacity: 3, pushed: 0, size: 0, all: [] },
    { name: 'partly filled', capacity: 3, pushed: 2, size: 2, all: [1, 2] },
    { name: 'exactly full', capacity: 3, pushed: 3, size: 3, all: [1, 2, 3] },
    // Past capacity the oldest go first; order stays oldest → newest across the wrap.
    { name: 'wrapped once', capacity: 3, pushed: 4, size: 3, all: [2, 3, 4] },
    { name: 'wrapped many times', capacity: 3, pushed: 11, size: 3, all: [9, 10, 11] },
    { name: 'capacity 1', capacity: 1, pushed: 5, size: 1, all: [5] },
  ])('$name: size and order', ({ capacity, pushed, size, all }) => {
    const rb = filled(capacity, pushed);
    expect(rb.size).toBe(size);
    expect(rb.last()).toEqual(all);
  });

  it.each([
    { n: 0, want: [] },
    { n: 1, want: [7] },
    { n: 3, want: [5, 6, 7] },
    // Asking for more than is there returns what is there (the log view asks for up to 5000).
    { n: 5, want: [3, 4, 5, 6, 7] },
    { n: 100, want: [3, 4, 5, 6, 7] },
  ])('last($n) after a wrap is the newest n, oldest first', ({ n, want }) => {
    expect(filled(5, 7).last(n)).toEqual(want);
  });

  it('clear empties it and it fills again from scratch', () => {
    const rb = filled(3, 5);
    rb.clear();
    expect(rb.size).toBe(0);
    expect(rb.last()).toEqual([]);
    rb.push(42);
    expect(rb.last()).toEqual([42]);
  });

  it('last() returns a copy: changing it does not change the buffer', () => {
    const rb = filled(3, 3);
    rb.last().push(99);
    expect(rb.last()).toEqual([1, 2, 3]);
  });
});
