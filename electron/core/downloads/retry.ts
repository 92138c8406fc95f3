/**
 * What one segment does after a request ended short of its end: ask again at once, wait, move to the next endpoint,
 * or give up. Pure (a failure and the counters in, the next action out), table-tested in retry.test.ts; the downloader
 * does the waiting and the switching.
 *
 * A response silent for `stallMs` is asked again at once without using up a retry (`maxStalls` silent ones in a row
 * count as one failure, so a dead mirror is still left); 429 (and 503 with Retry-After) waits as told, up to
 * MAX_ASKED_WAITS times in a row; other failures back off exponentially; every `failoverAfter` failures in a row the
 * next endpoint with the same SHA-256 takes over; past `maxRetries` the download fails. Bytes that arrived between
 * two failures start the counting afresh (the caller passes FRESH then).
 */
import type { DownloadTuning } from './tuning';

export type RetryPolicy = Pick<
  DownloadTuning,
  'stallMs' | 'maxStalls' | 'maxRetries' | 'failoverAfter' | 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs'
>;

/** Why a request ended before the segment's end, when another try may help. */
export type Failure =
  /** Nothing arrived for `stallMs`. */
  | { kind: 'stall' }
  /** 429, or 503 with Retry-After; null when the header was missing or unreadable. */
  | { kind: 'rate-limited'; waitMs: number | null }
  /** Anything else: a 5xx, a dropped connection, a short body … */
  | { kind: 'error'; reason: string };

export interface RetryState {
  /** Failures in a row that count against `maxRetries`. */
  failures: number;
  stalls: number;
  /** Rate-limit answers in a row. */
  limited: number;
  /** The last counted failure, for the message when the download gives up. */
  lastReason: string;
}

export const FRESH: Readonly<RetryState> = Object.freeze({ failures: 0, stalls: 0, limited: 0, lastReason: '' });

/** Waits a server asked for, in a row, before a 429 counts as a failure: a hub that only ever says "later" is left. */
export const MAX_ASKED_WAITS = 20;

type Wait = { kind: 'wait'; ms: number; asked: boolean };
type GiveUp = { kind: 'give-up'; code: 'DOWNLOAD_FAILED' | 'HUB_RATE_LIMITED'; reason: string };
export type RetryAction =
  | { kind: 'again' }
  /** `asked`: the server asked for the wait (Retry-After); otherwise a backoff after a counted failure. */
  | Wait
  /** Move to the next endpoint; when there is none, do `otherwise`. */
  | { kind: 'switch'; reason: string; otherwise: Wait | GiveUp }
  | GiveUp;

export interface RetryStep {
  state: RetryState;
  action: RetryAction;
  /** The failure counted against `maxRetries` (state.failures is its number). */
  counted: boolean;
}

/** Exponential backoff with full jitter: a random delay in [base·2^attempt / 2, base·2^attempt], capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export function nextStep(
  failure: Failure,
  state: Readonly<RetryState>,
  p: RetryPolicy,
  random: () => number = Math.random,
): RetryStep {
  let { stalls, limited } = state;
  let reason: string;
  if (failure.kind === 'stall') {
    stalls++;
    if (stalls < p.maxStalls) return { state: { ...state, stalls }, action: { kind: 'again' }, counted: false };
    stalls = 0;
    reason = `no data for ${Math.round(p.stallMs / 1000)} s`;
  } else if (failure.kind === 'rate-limited') {
    limited++;
    if (limited <= MAX_ASKED_WAITS) {
      const ms = Math.min(
        p.maxRetryAfterMs,
        failure.waitMs ?? backoffMs(limited - 1, p.backoffBaseMs, p.backoffMaxMs, random),
      );
      return { state: { ...state, limited }, action: { kind: 'wait', ms, asked: true }, counted: false };
    }
    reason = 'too many requests';
  } else reason = failure.reason;
  const failures = state.failures + 1;
  const next: RetryState = { failures, stalls, limited, lastReason: reason };
  const otherwise: Wait | GiveUp =
    failures > p.maxRetries
      ? { kind: 'give-up', code: limited > MAX_ASKED_WAITS ? 'HUB_RATE_LIMITED' : 'DOWNLOAD_FAILED', reason }
      : { kind: 'wait', ms: backoffMs(failures - 1, p.backoffBaseMs, p.backoffMaxMs, random), asked: false };
  return {
    state: next,
    action: failures % p.failoverAfter === 0 ? { kind: 'switch', reason, otherwise } : otherwise,
    counted: true,
  };
}
