/**
 * How many connections one file uses. They open one at a time, every `rampEveryMs`, while each brings less than
 * `enoughPerConnection`: a link where one connection is already that fast (a LAN mirror, loopback) gains nothing from
 * more, which would only compete for the CPU and leave more bytes in flight (lost to a kill). Pure; table-tested in
 * ramp.test.ts; the downloader runs the timer.
 */

/** The most connections worth opening: no more than the segments left to fetch, at least one. */
export function connectionLimit(connections: number, segmentsLeft: number): number {
  return Math.max(1, Math.min(connections, segmentsLeft));
}

/** Connections to open at the start: one when ramping, all of them when there is no ramp (`enough` null). */
export function initialConnections(limit: number, enough: number | null): number {
  return enough === null ? limit : 1;
}

export interface RampTick {
  /** Bytes received since the last tick, by all open connections. */
  gotBytes: number;
  elapsedMs: number;
  open: number;
  limit: number;
  /** Bytes/s per connection that is fast enough. */
  enough: number;
  /** Whether segments are left that no connection has taken yet. */
  unclaimed: boolean;
}

/** One tick: whether to open one more connection, and the speed per connection it was decided on (for the log). */
export function rampStep(t: RampTick): { add: boolean; perConnection: number } {
  const perConnection = (t.gotBytes * 1000) / Math.max(1, t.elapsedMs) / Math.max(1, t.open);
  // Nothing arrived (backing off, waiting out a 429, stalled): more connections would only add to that.
  const add = t.gotBytes > 0 && t.unclaimed && t.open < t.limit && perConnection < t.enough;
  return { add, perConnection };
}
