/**
 * Drives one segment to completion over Range requests (range-fetch.ts): after each failure it asks the retry policy
 * (retry.ts) whether to try again, wait, switch to another endpoint or give up, and does that. Bytes arriving reset
 * the count: a link that works, however slowly, is not failing.
 */
import { AppError } from '../../shared/errors';
import { describe } from './download-errors';
import { fetchRange, RangeFailure, SourceUnusable, WriteFailed, type RangeFetchContext } from './range-fetch';
import { FRESH, nextStep, type Failure, type RetryPolicy, type RetryState } from './retry';
import type { Segment } from './sidecar';
import type { SourcePool } from './sources';

export interface SegmentContext {
  /** What each request needs; its `stop` ends the loop, its `label` names the file in errors. */
  range: RangeFetchContext;
  sources: SourcePool;
  policy: RetryPolicy;
  random?: () => number;
  log: (msg: string) => void;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
const abortable = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', on);
      resolve();
    }, ms);
    const on = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', on, { once: true });
  });

export async function fetchSegment(seg: Segment, ctx: SegmentContext): Promise<void> {
  const { range, sources, log } = ctx;
  const { stop, label } = range;
  let state: RetryState = FRESH;
  const len = seg.end - seg.start;
  while (seg.done < len) {
    if (stop.aborted) throw stop.reason;
    const src = sources.current();
    if (!src)
      throw (
        sources.failures.at(-1)?.error ??
        new AppError('DOWNLOAD_FAILED', { file: label, reason: state.lastReason || 'no endpoint left' })
      );
    const before = seg.done;
    let failure: Failure;
    try {
      await fetchRange(seg, src, range);
      if (seg.done > before) {
        state = FRESH;
        continue;
      }
      throw new RangeFailure({ kind: 'error', reason: 'empty response' });
    } catch (e) {
      if (stop.aborted) throw stop.reason;
      if (e instanceof WriteFailed) throw e.err;
      // Bytes arrived before it ended: the link works, count afresh.
      if (seg.done > before) state = FRESH;
      if (e instanceof SourceUnusable) {
        log(`${src.endpoint.id} cannot serve this file: ${e.err.message}`);
        const next = await sources.switchFrom(src, e.err.message, e.err, true);
        if (!next) throw e.err;
        state = { ...state, failures: 0 };
        continue;
      }
      failure = e instanceof RangeFailure ? e.failure : { kind: 'error', reason: describe(e) };
    }
    if (failure.kind === 'stall') log(`segment ${seg.index}: no bytes for ${ctx.policy.stallMs} ms, retrying`);
    const step = nextStep(failure, state, ctx.policy, ctx.random);
    state = step.state;
    if (step.counted) log(`segment ${seg.index}: attempt ${state.failures} failed (${state.lastReason})`);
    let action = step.action;
    if (action.kind === 'switch') {
      const next = await sources.switchFrom(src, action.reason);
      if (next !== src) {
        log(`switching to ${next?.endpoint.id ?? 'nothing'}`);
        state = { ...state, failures: 0 };
        continue;
      }
      action = action.otherwise;
    }
    if (action.kind === 'give-up') {
      if (action.code === 'HUB_RATE_LIMITED') throw new AppError('HUB_RATE_LIMITED', { endpoint: src.endpoint.url });
      throw new AppError('DOWNLOAD_FAILED', { file: label, reason: action.reason });
    }
    if (action.kind === 'wait') {
      if (action.asked) log(`segment ${seg.index}: ${src.endpoint.id} asks to wait ${Math.round(action.ms)} ms`);
      await abortable(action.ms, stop);
    }
  }
}
