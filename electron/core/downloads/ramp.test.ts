/** The connection ramp: when one more connection is worth opening. */
import { describe, expect, it } from 'vitest';
import { connectionLimit, initialConnections, rampStep, type RampTick } from './ramp';

describe('connectionLimit', () => {
  it.each([
    // [connections setting, segments left, want]
    [4, 100, 4],
    // A small file (or the tail of a resumed one) cannot use more connections than it has segments.
    [4, 2, 2],
    // A file with nothing left still runs one worker, which finds no segment and ends.
    [4, 0, 1],
    [1, 100, 1],
  ])('%i connections, %i segments left → %i', (connections, left, want) => {
    expect(connectionLimit(connections, left)).toBe(want);
  });
});

describe('initialConnections', () => {
  it.each<[number, number | null, number]>([
    // Ramping: start with one, so a fast link is never split for nothing.
    [4, 200e6, 1],
    // No ramp configured (tests, people who know their link): all at once.
    [4, null, 4],
  ])('limit %i, enough %s → %i', (limit, enough, want) => {
    expect(initialConnections(limit, enough)).toBe(want);
  });
});

describe('rampStep', () => {
  const base: RampTick = { gotBytes: 1_000_000, elapsedMs: 1000, open: 1, limit: 4, enough: 200e6, unclaimed: true };
  it.each<[string, Partial<RampTick>, boolean, number]>([
    // A home link: 1 MB/s on one connection is far below enough, so another connection may help.
    ['slow single connection', {}, true, 1e6],
    // The speed is per connection: 2 MB/s over two is still 1 MB/s each.
    ['two slow connections', { gotBytes: 2_000_000, open: 2 }, true, 1e6],
    // Loopback or a LAN mirror: one connection is already enough; more would only cost CPU and in-flight bytes.
    ['fast single connection', { gotBytes: 300e6 }, false, 300e6],
    ['exactly enough', { gotBytes: 200e6 }, false, 200e6],
    // Nothing arrived (backing off, waiting out a 429, stalled): more connections would only add to that.
    ['nothing arrived', { gotBytes: 0 }, false, 0],
    // Every segment already has a connection: a new one would find nothing to fetch.
    ['no segment left to take', { unclaimed: false }, false, 1e6],
    ['at the limit', { open: 4, gotBytes: 4_000_000 }, false, 1e6],
    // A timer that fires late measures over the real time, not the nominal period.
    ['a late tick', { gotBytes: 3_000_000, elapsedMs: 3000 }, true, 1e6],
    // A tick at the same millisecond does not divide by zero.
    ['no time passed', { elapsedMs: 0, gotBytes: 10 }, true, 10_000],
  ])('%s', (_name, t, add, perConnection) => {
    const r = rampStep({ ...base, ...t });
    expect(r.add).toBe(add);
    expect(r.perConnection).toBeCloseTo(perConnection);
  });
});
