/**
 * readiness(): the supervisor's verdict after each /health poll, as a table. Each row says why the case matters;
 * times are ms since the spawn, with a 1000 ms stall limit.
 */
import { describe, expect, it } from 'vitest';
import { readiness, type Readiness, type ReadinessInput } from './readiness';

const base: ReadinessInput = {
  health: 'not-ready',
  exited: false,
  progressAt: 0,
  outputAt: 0,
  now: 500,
  stallMs: 1000,
};

describe('readiness', () => {
  it.each<{ name: string; input: Partial<ReadinessInput>; want: Readiness }>([
    // The port is not open yet right after the spawn: that is loading, not a failure.
    { name: 'nothing answers yet, just spawned', input: { health: 'unreachable', now: 10 }, want: 'waiting' },
    { name: 'not polled yet', input: { health: null }, want: 'waiting' },
    // llama-server answers 503 "Loading model" while it loads: keep polling.
    { name: '503 while loading', input: {}, want: 'waiting' },
    { name: '200 from /health', input: { health: 'ok' }, want: 'ready' },
    // A slow load that finally answers is ready, however long it was silent: never kill a model that made it.
    { name: 'ready after a long silence', input: { health: 'ok', now: 60_000 }, want: 'ready' },
    // The process died (and the port may even have been answered by someone else): the exit handler owns the reason.
    { name: 'exited while loading', input: { exited: true }, want: 'failed' },
    { name: 'exited even though /health said ok', input: { exited: true, health: 'ok' }, want: 'failed' },
    // Neither progress nor output for longer than the limit: a hung load (Ollama's stall timer), ended by us.
    { name: 'silent past the limit', input: { now: 1001 }, want: 'stalled' },
    // The limit itself is still allowed: only strictly longer is a stall.
    { name: 'silent exactly the limit', input: { now: 1000 }, want: 'waiting' },
    // Answering 503 is not progress: a server stuck in "Loading model" with nothing moving is stalled.
    { name: '503 forever, nothing moving', input: { health: 'not-ready', now: 5000 }, want: 'stalled' },
    { name: 'unreachable and silent', input: { health: 'unreachable', now: 5000 }, want: 'stalled' },
    // A big model loads for minutes: every progress step restarts the timer, even with no log line.
    { name: 'progress moved recently', input: { progressAt: 4500, now: 5000 }, want: 'waiting' },
    // Warm-up after the tensors (progress at 1) prints lines but moves no progress: output also counts.
    { name: 'output recently, progress stuck', input: { outputAt: 4500, now: 5000 }, want: 'waiting' },
    // The later of the two counts, whichever it is.
    { name: 'old progress, older output', input: { progressAt: 3900, outputAt: 100, now: 5000 }, want: 'stalled' },
    // A clock that stepped back (NTP) gives a negative silence: not a stall.
    { name: 'clock went backwards', input: { progressAt: 5000, outputAt: 5000, now: 100 }, want: 'waiting' },
  ])('$name → $want', ({ input, want }) => {
    expect(readiness({ ...base, ...input })).toBe(want);
  });
});
