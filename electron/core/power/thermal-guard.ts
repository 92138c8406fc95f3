/**
 * The thermal guard's decisions for one GPU, as a pure state machine (testable without a GPU or a clock):
 *   hot  (≥ threshold) for holdSeconds  → lower the limit by stepW (never below min); again after each further
 *                                          holdSeconds while still hot
 *   cool (≤ threshold − cooldownMargin) for holdSeconds, while lowered → restore the user's limit (or default)
 *   in between, or no reading            → both timers restart
 */

export interface GuardConfig {
  thresholdC: number;
  holdSeconds: number;
  stepW: number;
  cooldownMarginC: number;
}

export interface GuardState {
  hotSince: number | null;
  coolSince: number | null;
  /** The limit the guard set, while it holds the GPU below the user's limit. */
  loweredToW: number | null;
}

export interface GuardInput {
  temperatureC: number | null;
  /** Enforced limit now. */
  limitW: number | null;
  minW: number | null;
  defaultW: number | null;
  /** What the user chose in the app (restored after cool-down); default limit if none. */
  userW: number | null;
}

export type GuardAction =
  | { type: 'lower'; fromW: number; toW: number; temperatureC: number }
  | { type: 'restore'; fromW: number; toW: number; temperatureC: number };

export const initialGuardState = (): GuardState => ({ hotSince: null, coolSince: null, loweredToW: null });

export function stepGuard(
  state: GuardState,
  input: GuardInput,
  cfg: GuardConfig,
  nowMs: number,
): { state: GuardState; action: GuardAction | null } {
  const holdMs = cfg.holdSeconds * 1000;
  const t = input.temperatureC;
  if (t === null) return { state: { ...state, hotSince: null, coolSince: null }, action: null };

  if (t >= cfg.thresholdC) {
    const hotSince = state.hotSince ?? nowMs;
    if (nowMs - hotSince < holdMs) return { state: { ...state, hotSince, coolSince: null }, action: null };
    const current = state.loweredToW ?? input.limitW;
    if (current === null) return { state: { ...state, hotSince, coolSince: null }, action: null };
    const floor = input.minW ?? 0;
    const toW = Math.max(floor, current - cfg.stepW);
    // The next step waits another full hold, so the GPU has time to react to this one.
    if (toW >= current) return { state: { ...state, hotSince: nowMs, coolSince: null }, action: null };
    return {
      state: { hotSince: nowMs, coolSince: null, loweredToW: toW },
      action: { type: 'lower', fromW: current, toW, temperatureC: t },
    };
  }

  if (t <= cfg.thresholdC - cfg.cooldownMarginC) {
    if (state.loweredToW === null) return { state: { ...state, hotSince: null, coolSince: null }, action: null };
    const coolSince = state.coolSince ?? nowMs;
    if (nowMs - coolSince < holdMs) return { state: { ...state, hotSince: null, coolSince }, action: null };
    const toW = input.userW ?? input.defaultW;
    if (toW === null) return { state: { ...state, hotSince: null, coolSince }, action: null };
    return { state: initialGuardState(), action: { type: 'restore', fromW: state.loweredToW, toW, temperatureC: t } };
  }

  return { state: { ...state, hotSince: null, coolSince: null }, action: null };
}
