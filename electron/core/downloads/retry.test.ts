/** The retry policy of one segment: backoff, and what follows each kind of failure given the counters so far. */
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  FRESH,
  MAX_ASKED_WAITS,
  nextStep,
  type Failure,
  type RetryAction,
  type RetryPolicy,
  type RetryState,
} from './retry';

describe('backoffMs', () => {
  it.each([
    // [attempt, random, want]: full jitter between half and all of base·2^attempt, capped.
    [0, 0, 500],
    [0, 1, 1000],
    [3, 0.5, 6000],
    [10, 1, 30_000],
    [50, 0, 15_000],
  ])('attempt %i, random %f → %i ms', (attempt, r, want) => {
    expect(backoffMs(attempt, 1000, 30_000, () => r)).toBe(want);
  });
});

describe('nextStep', () => {
  const policy: RetryPolicy = {
    stallMs: 30_000,
    maxStalls: 5,
    maxRetries: 8,
    failoverAfter: 3,
    backoffBaseMs: 1000,
    backoffMaxMs: 30_000,
    maxRetryAfterMs: 300_000,
  };
  const at = (s: Partial<RetryState>): RetryState => ({ ...FRESH, ...s });
  const stall: Failure = { kind: 'stall' };
  const err: Failure = { kind: 'error', reason: 'HTTP 500' };
  const limited = (waitMs: number | null): Failure => ({ kind: 'rate-limited', waitMs });
  // random() = 1: every backoff is its full base·2^attempt, so the table reads exactly.
  const wait = (ms: number, asked = false): Extract<RetryAction, { kind: 'wait' }> => ({ kind: 'wait', ms, asked });

  it.each<[string, Failure, RetryState, Partial<RetryState>, RetryAction, boolean]>([
    // A stall is asked again at once and costs no retry: a CDN edge that hangs once is normal.
    ['a first stall', stall, FRESH, { stalls: 1, failures: 0 }, { kind: 'again' }, false],
    ['the 4th stall in a row', stall, at({ stalls: 3 }), { stalls: 4, failures: 0 }, { kind: 'again' }, false],
    // …but five in a row are one failure, or a mirror that accepts and never sends would hold us for ever.
    [
      'the 5th stall in a row',
      stall,
      at({ stalls: 4 }),
      { stalls: 0, failures: 1, lastReason: 'no data for 30 s' },
      wait(1000),
      true,
    ],
    // Any other failure counts and backs off exponentially.
    ['a first 500', err, FRESH, { failures: 1, lastReason: 'HTTP 500' }, wait(1000), true],
    ['a second 500', err, at({ failures: 1 }), { failures: 2, lastReason: 'HTTP 500' }, wait(2000), true],
    // Every third failure in a row tries the next endpoint; without one, the backoff goes on.
    [
      'a third 500',
      err,
      at({ failures: 2 }),
      { failures: 3, lastReason: 'HTTP 500' },
      { kind: 'switch', reason: 'HTTP 500', otherwise: wait(4000) },
      true,
    ],
    [
      'a sixth 500',
      err,
      at({ failures: 5 }),
      { failures: 6, lastReason: 'HTTP 500' },
      { kind: 'switch', reason: 'HTTP 500', otherwise: wait(30_000) },
      true,
    ],
    // Past maxRetries the download fails (the partial file stays for a later resume)…
    [
      'a tenth 500',
      err,
      at({ failures: 9 }),
      { failures: 10, lastReason: 'HTTP 500' },
      { kind: 'give-up', code: 'DOWNLOAD_FAILED', reason: 'HTTP 500' },
      true,
    ],
    // …but a failover due on that try comes first: another endpoint deserves its own chances.
    [
      'a ninth 500',
      err,
      at({ failures: 8 }),
      { failures: 9, lastReason: 'HTTP 500' },
      {
        kind: 'switch',
        reason: 'HTTP 500',
        otherwise: { kind: 'give-up', code: 'DOWNLOAD_FAILED', reason: 'HTTP 500' },
      },
      true,
    ],
    // 429: the server's Retry-After is obeyed and costs no retry…
    ['429 with Retry-After 7 s', limited(7000), FRESH, { limited: 1, failures: 0 }, wait(7000, true), false],
    // …capped, so a hostile "Retry-After: 99999999" cannot park the download for years.
    ['429 with Retry-After of a day', limited(86_400_000), FRESH, { limited: 1 }, wait(300_000, true), false],
    // Without a readable Retry-After the wait grows like a backoff.
    [
      '429 without Retry-After, 3rd in a row',
      limited(null),
      at({ limited: 2 }),
      { limited: 3 },
      wait(4000, true),
      false,
    ],
    ['429 with a date in the past', limited(0), FRESH, { limited: 1 }, wait(0, true), false],
    // A hub that only ever says "later" is left: past 20 asked waits each 429 counts as a failure…
    [
      'the 21st 429 in a row',
      limited(1000),
      at({ limited: MAX_ASKED_WAITS }),
      { limited: 21, failures: 1, lastReason: 'too many requests' },
      wait(1000),
      true,
    ],
    // …and the download ends as HUB_RATE_LIMITED, which the UI explains differently from a broken file.
    [
      'giving up while rate limited',
      limited(1000),
      at({ limited: 30, failures: 9 }),
      { limited: 31, failures: 10, lastReason: 'too many requests' },
      { kind: 'give-up', code: 'HUB_RATE_LIMITED', reason: 'too many requests' },
      true,
    ],
    // A 500 after many 429s is still a rate-limited hub when the count runs out.
    [
      'giving up on a 500 after 21 429s',
      err,
      at({ limited: 21, failures: 9 }),
      { failures: 10, lastReason: 'HTTP 500' },
      { kind: 'give-up', code: 'HUB_RATE_LIMITED', reason: 'HTTP 500' },
      true,
    ],
    // Stalls and 429s do not reset the count of real failures (a flaky link is not forgiven by hanging in between).
    ['a stall after two 500s', stall, at({ failures: 2 }), { failures: 2, stalls: 1 }, { kind: 'again' }, false],
  ])('%s', (_name, failure, state, want, action, counted) => {
    const step = nextStep(failure, state, policy, () => 1);
    expect(step.state).toEqual({ ...state, ...want });
    expect(step.action).toEqual(action);
    expect(step.counted).toBe(counted);
  });

  it('never changes the state it was given (FRESH is shared by every segment)', () => {
    nextStep(err, FRESH, policy);
    nextStep(stall, FRESH, policy);
    expect(FRESH).toEqual({ failures: 0, stalls: 0, limited: 0, lastReason: '' });
  });
});
