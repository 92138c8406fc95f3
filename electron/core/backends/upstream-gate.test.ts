import { describe, expect, it } from 'vitest';
import { codeOfCall } from '../../test/error-codes';
import { AppError } from '../../shared/errors';
import { gateFor, gateLimits, retryAfterSeconds, UpstreamGate } from './upstream-gate';

const settled = async <T>(p: Promise<T>): Promise<T | 'pending'> =>
  Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 5))]);

describe('retryAfterSeconds', () => {
  it.each<[number | null, number, number, number]>([
    // [mean hold ms, queued, max in flight, seconds]
    [null, 10, 4, 1], // nothing measured yet
    [0, 10, 4, 1],
    [100, 1, 4, 1], // rounds up to a whole second, at least 1
    [4000, 8, 4, 8], // 8 ahead, 4 at a time, 4 s each
    [10_000, 1024, 256, 40],
    [60_000, 1000, 1, 60], // capped
  ])('hold %s ms, %i queued, %i in flight → %i s', (hold, queued, inFlight, s) => {
    expect(retryAfterSeconds(hold, queued, inFlight)).toBe(s);
  });
});

describe('UpstreamGate', () => {
  it('admits up to maxInFlight, queues up to maxQueued in order, refuses the next with BACKEND_QUEUE_FULL', async () => {
    const gate = new UpstreamGate({ maxInFlight: 2, maxQueued: 2 });
    const a = gate.enter();
    const b = gate.enter();
    const c = gate.enter();
    const d = gate.enter();
    expect(await a.ready).toBe(true);
    expect(await b.ready).toBe(true);
    expect(await settled(c.ready)).toBe('pending');
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 2 });
    expect(codeOfCall(() => gate.enter())).toBe('BACKEND_QUEUE_FULL');
    a.release();
    expect(await c.ready).toBe(true);
    expect(await settled(d.ready)).toBe('pending');
    b.release();
    expect(await d.ready).toBe(true);
    expect(gate.stats()).toMatchObject({ inFlight: 2, queued: 0 });
  });

  it('a refusal carries how many wait and when to retry', () => {
    let t = 0;
    const gate = new UpstreamGate({ maxInFlight: 1, maxQueued: 1 }, () => t);
    const a = gate.enter();
    t = 3000;
    a.release(); // one request held its place 3 s
    gate.enter();
    gate.enter();
    try {
      gate.enter();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).params).toEqual({ queued: 1, retryAfterS: 3 });
    }
  });

  it('a waiter whose signal aborts leaves the queue and frees its spot; release twice frees one place', async () => {
    const gate = new UpstreamGate({ maxInFlight: 1, maxQueued: 2 });
    const a = gate.enter();
    const ctl = new AbortController();
    const b = gate.enter(ctl.signal);
    const c = gate.enter();
    ctl.abort();
    expect(await b.ready).toBe(false);
    expect(gate.stats().queued).toBe(1);
    a.release();
    a.release();
    expect(await c.ready).toBe(true);
    expect(gate.stats()).toMatchObject({ inFlight: 1, queued: 0 });
    b.release(); // a ticket that left the queue frees nothing
    expect(gate.stats().inFlight).toBe(1);
    c.release();
    expect(gate.idle).toBe(true);
  });

  it('an aborted signal never takes a place; releasing a queued ticket leaves the queue', async () => {
    const gate = new UpstreamGate({ maxInFlight: 1, maxQueued: 1 });
    const ctl = new AbortController();
    ctl.abort();
    expect(await gate.enter(ctl.signal).ready).toBe(false);
    const a = gate.enter();
    const b = gate.enter();
    b.release();
    expect(await b.ready).toBe(false);
    a.release();
    expect(gate.idle).toBe(true);
  });

  it('raising the limits admits waiters at once', async () => {
    const gate = new UpstreamGate({ maxInFlight: 1, maxQueued: 5 });
    gate.enter();
    const waiting = [gate.enter(), gate.enter()];
    gate.setLimits({ maxInFlight: 3, maxQueued: 5 });
    expect(await Promise.all(waiting.map((w) => w.ready))).toEqual([true, true]);
  });
});

describe('gateLimits', () => {
  it.each<[number | undefined, number]>([
    // Twice the slots: each slot has its next task waiting inside llama-server, no more threads than that.
    [1, 2],
    [4, 8],
    [64, 128],
    // Slots not known (not a llama-server we started): generous.
    [undefined, 256],
    [0, 256],
  ])('%s slots → %i in flight, 1024 queued', (slots, inFlight) => {
    expect(gateLimits(slots)).toEqual({ maxInFlight: inFlight, maxQueued: 1024 });
  });
});

describe('gateFor', () => {
  it('hands everyone calling one backend the same gate, another backend its own', () => {
    const a = { baseUrl: 'http://127.0.0.1:1', slots: 2 };
    expect(gateFor(a)).toBe(gateFor({ ...a }));
    expect(gateFor(a).stats().limits.maxInFlight).toBe(4);
    expect(gateFor({ baseUrl: 'http://127.0.0.1:2' })).not.toBe(gateFor(a));
  });

  it('keeps limits set on a gate while the backend is the same, and resizes for a new run on the same port', () => {
    const ep = { baseUrl: 'http://127.0.0.1:3', slots: 1 };
    gateFor(ep).setLimits({ maxInFlight: 1, maxQueued: 1 });
    expect(gateFor(ep).stats().limits).toEqual({ maxInFlight: 1, maxQueued: 1 });
    expect(gateFor({ ...ep, slots: 8 }).stats().limits).toEqual(gateLimits(8));
  });
});
