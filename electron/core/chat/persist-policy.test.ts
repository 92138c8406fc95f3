/** When a streaming reply is written: a table of (last write, now, length) → delay. */
import { describe, expect, it } from 'vitest';
import { persistDelay, type PersistPolicy } from './persist-policy';

const policy: PersistPolicy = { intervalMs: 1000, maxChars: 100 };

describe('persistDelay', () => {
  it.each([
    { why: 'nothing new: no write', last: { at: 0, length: 50 }, now: 5000, length: 50, delay: null },
    {
      why: 'new text, the interval not yet over: wait for it',
      last: { at: 0, length: 0 },
      now: 300,
      length: 10,
      delay: 700,
    },
    { why: 'new text, the interval over: now', last: { at: 0, length: 0 }, now: 1000, length: 10, delay: 0 },
    { why: 'long after: now, never negative', last: { at: 0, length: 0 }, now: 9000, length: 10, delay: 0 },
    { why: 'much new text: now, before the interval', last: { at: 0, length: 0 }, now: 10, length: 100, delay: 0 },
    { why: 'just under the size bound: wait', last: { at: 0, length: 0 }, now: 10, length: 99, delay: 990 },
  ])('$why', ({ last, now, length, delay }) => {
    expect(persistDelay(policy, last, now, length)).toBe(delay);
  });

  it('a reply streaming at 1000 tokens/s for 10 s is written about 10 times, not 10,000', () => {
    let last = { at: 0, length: 0 };
    let writes = 0;
    for (let t = 1; t <= 10_000; t++) {
      const length = t * 4;
      if (persistDelay({ intervalMs: 1000, maxChars: 16 * 1024 }, last, t, length) === 0) {
        writes++;
        last = { at: t, length };
      }
    }
    expect(writes).toBeGreaterThanOrEqual(9);
    expect(writes).toBeLessThanOrEqual(10);
  });
});
