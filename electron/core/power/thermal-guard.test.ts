import { describe, expect, it } from 'vitest';
import {
  initialGuardState,
  stepGuard,
  type GuardAction,
  type GuardConfig,
  type GuardInput,
  type GuardState,
} from './thermal-guard';

const cfg: GuardConfig = { thresholdC: 83, holdSeconds: 10, stepW: 25, cooldownMarginC: 8 };
const gpu = (temperatureC: number | null, over: Partial<GuardInput> = {}): GuardInput => ({
  temperatureC,
  limitW: 300,
  minW: 250,
  defaultW: 320,
  userW: 300,
  ...over,
});

/** Runs a temperature trace (one reading per second) and returns what happened when. */
function run(trace: (number | null)[], input: Partial<GuardInput> = {}, start: GuardState = initialGuardState()) {
  let state = start;
  const actions: [number, GuardAction][] = [];
  trace.forEach((t, second) => {
    const r = stepGuard(state, gpu(t, input), cfg, second * 1000);
    state = r.state;
    if (r.action) actions.push([second, r.action]);
  });
  return { state, actions };
}

describe('thermal guard', () => {
  it('does nothing until the GPU has been hot for holdSeconds', () => {
    expect(run(Array(10).fill(85)).actions).toEqual([]);
    const { actions, state } = run(Array(11).fill(85));
    expect(actions).toEqual([[10, { type: 'lower', fromW: 300, toW: 275, temperatureC: 85 }]]);
    expect(state.loweredToW).toBe(275);
  });

  it('steps down again after each further hold while still hot, never below min', () => {
    const { actions, state } = run(Array(41).fill(90));
    expect(actions.map(([s, a]) => [s, a.type, a.toW])).toEqual([
      [10, 'lower', 275],
      [20, 'lower', 250],
    ]);
    // At min: no further action, however long it stays hot.
    expect(state.loweredToW).toBe(250);
  });

  it('a dip below the threshold restarts the hot timer (exactly at the threshold counts as hot)', () => {
    const trace = [...Array(6).fill(83), 82, ...Array(11).fill(83)];
    expect(run(trace).actions).toEqual([[17, { type: 'lower', fromW: 300, toW: 275, temperatureC: 83 }]]);
  });

  it("restores the user's limit after staying cool for holdSeconds", () => {
    const trace = [...Array(11).fill(86), ...Array(5).fill(80), ...Array(11).fill(75)];
    const { actions, state } = run(trace);
    expect(actions.map(([s, a]) => [s, a.type, a.toW])).toEqual([
      [10, 'lower', 275],
      [26, 'restore', 300],
    ]);
    expect(state).toEqual(initialGuardState());
  });

  it('restores the default limit when the user chose none', () => {
    const lowered: GuardState = { hotSince: null, coolSince: null, loweredToW: 275 };
    const { actions } = run(Array(11).fill(70), { userW: null }, lowered);
    expect(actions).toEqual([[10, { type: 'restore', fromW: 275, toW: 320, temperatureC: 70 }]]);
  });

  it('between the lines (cooler than threshold, not cool enough) nothing happens', () => {
    const lowered: GuardState = { hotSince: null, coolSince: null, loweredToW: 275 };
    expect(run(Array(60).fill(78), {}, lowered).actions).toEqual([]);
  });

  it('is cool but never lowered: nothing to restore', () => {
    expect(run(Array(30).fill(50)).actions).toEqual([]);
  });

  it('a missing reading restarts the timers', () => {
    expect(run([...Array(9).fill(90), null, ...Array(9).fill(90)]).actions).toEqual([]);
  });

  it('without a known limit it cannot step', () => {
    expect(run(Array(30).fill(95), { limitW: null }).actions).toEqual([]);
  });

  it('min unknown: steps down by stepW anyway', () => {
    const { actions } = run(Array(11).fill(95), { minW: null });
    expect(actions[0]?.[1].toW).toBe(275);
  });
});
