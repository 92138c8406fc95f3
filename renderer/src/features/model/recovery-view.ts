/**
 * Self-healing supervision in words: BackendStatus.recovery → text keys and params for the status bar, the Model
 * page and the chat. Pure (the clock is a parameter), so every phase is table-tested without a backend.
 */
import type { RecoveryStep } from '@shared/backend-options';
import type { ErrorInfo } from '@shared/errors';
import type { BackendStatus, LoadOptions } from '@shared/schemas';
import type { BackendKey } from '../../lib/useBackendText';

export type Params = Record<string, string | number>;
export interface Line {
  key: BackendKey;
  params: Params;
}

export type Cause = 'oom' | 'crashed' | 'exited' | 'hung' | 'other';

/** The error codes that end a run from outside the user's control (the supervision's reasons). */
const CAUSES: Readonly<Record<string, Cause>> = {
  BACKEND_OOM: 'oom',
  BACKEND_CRASHED: 'crashed',
  BACKEND_EXITED: 'exited',
  BACKEND_HUNG: 'hung',
};

export const causeOf = (code: string): Cause => CAUSES[code] ?? 'other';

/** A reply that ended with one of these was cut by the backend dying, not by the request itself. */
export const isInterruption = (error: Pick<ErrorInfo, 'code'> | null | undefined): boolean =>
  !!error && error.code in CAUSES;

/** Whole seconds left until `nextAt` (never negative); null without a next try. */
export function secondsLeft(nextAt: number | null, now: number): number | null {
  return nextAt === null ? null : Math.max(0, Math.ceil((nextAt - now) / 1000));
}

export type Tone = 'warn' | 'ok' | 'danger';

export interface RecoveryView {
  tone: Tone;
  phase: 'restarting' | 'restarted' | 'gave-up';
  /** The sentence for the Model page. `{{reason}}` (gave up) is filled by the caller with the translated error. */
  headline: Line;
  /** The short form for the status bar. */
  pill: Line;
  /** The out-of-memory ladder, one line per step: "context 32768 → 16384 (out of memory)". */
  steps: Line[];
  reason: ErrorInfo;
  restarts: number;
  /** Gave up: Retry (backend.retry) starts the same model again. */
  canRetry: boolean;
  /** Running on stepped-down settings: offer to keep them as the model's defaults. */
  canKeep: boolean;
  /** A countdown is running (re-render each second until then). */
  nextAt: number | null;
}

export function stepLine(step: RecoveryStep): Line {
  return {
    key: 'heal.step',
    params: {
      what: `@heal.what.${step.what}`,
      from: step.from,
      to: step.to,
      because: `@heal.because.${causeOf(step.because)}`,
    },
  };
}

/**
 * null when there is nothing to tell: no recovery, or the model was stopped by the user after one (the status
 * then says "No model" and an old crash is history).
 */
export function recoveryView(
  status: Pick<BackendStatus, 'state' | 'recovery'> | undefined,
  now: number,
): RecoveryView | null {
  const r = status?.recovery;
  if (!status || !r || status.state === 'stopped' || status.state === 'stopping') return null;
  const cause = causeOf(r.reason.code);
  const causeText = `@heal.cause.${cause}`;
  const steps = r.steps.map(stepLine);
  const base = {
    phase: r.phase,
    steps,
    reason: r.reason,
    restarts: r.restarts,
    nextAt: null,
    canRetry: false,
    canKeep: false,
  };
  if (r.phase === 'restarting') {
    const seconds = secondsLeft(r.nextAt, now);
    const waiting = seconds !== null && seconds > 0 && status.state === 'crashed';
    // attempt 0: a Retry by hand; past the limit: the out-of-memory ladder, which goes on while it has steps.
    const which = r.attempt === 0 ? null : r.attempt <= r.maxAttempts ? 'of' : 'n';
    const tries = (prefix: string) => (which ? `@heal.${prefix}try.${which}` : '');
    const params = { attempt: r.attempt, max: r.maxAttempts, ...(waiting ? { seconds } : {}) };
    return {
      ...base,
      tone: 'warn',
      headline: {
        key: waiting ? 'heal.restarting' : 'heal.restartingNow',
        params: { ...params, cause: causeText, try: tries('') },
      },
      pill: {
        key: waiting ? 'heal.pill.restarting' : 'heal.pill.restartingNow',
        params: { ...params, cause: `@heal.pillCause.${cause}`, try: tries('pill.') },
      },
      nextAt: waiting ? r.nextAt : null,
    };
  }
  if (r.phase === 'restarted') {
    return {
      ...base,
      tone: 'ok',
      headline: { key: `heal.restarted.${cause}`, params: {} },
      pill: { key: 'heal.pill.restarted', params: {} },
      // Only once it serves: while a restart is still loading, the settings have not proved themselves.
      canKeep: steps.length > 0 && status.state === 'ready',
    };
  }
  // Gave up (or automatic restart is off: no try was made).
  return {
    ...base,
    tone: 'danger',
    headline:
      r.attempt > 0
        ? { key: 'heal.gaveUp', params: { attempt: r.attempt, reason: '' } }
        : { key: 'heal.couldNotRestart', params: { reason: '' } },
    pill:
      r.attempt > 0
        ? { key: 'heal.pill.gaveUp', params: { attempt: r.attempt } }
        : { key: `heal.pillCause.${cause}`, params: {} },
    canRetry: status.state === 'crashed',
  };
}

/**
 * What "keep these settings" saves as the model's profile: the running options where they differ from the global
 * defaults (a profile is a patch merged over settings.loadOptions, so an unchanged field stays free to follow them).
 */
export function optionsToKeep(running: LoadOptions, defaults: LoadOptions | undefined): Partial<LoadOptions> {
  // RPC workers are this machine's setting, checked at every start (a worker that dropped out must not be pinned
  // into, or out of, the model's profile).
  const { rpcServers: _workers, ...rest } = running;
  if (!defaults) return rest;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest))
    if (JSON.stringify(v) !== JSON.stringify(defaults[k as keyof LoadOptions])) out[k] = v;
  return out as Partial<LoadOptions>;
}

/** How an interrupted reply is marked, from where the backend stands now. */
export function interruptedKey(status: Pick<BackendStatus, 'state' | 'recovery'> | undefined): BackendKey {
  const state = status?.state;
  if (state === 'ready') return 'heal.interrupted.restarted';
  if (state === 'starting' || state === 'loading' || (state === 'crashed' && status?.recovery?.phase === 'restarting'))
    return 'heal.interrupted.restarting';
  return 'heal.interrupted.stopped';
}

/**
 * Params may name another key ("@heal.cause.oom"), translated first with the same params, so sentences are composed
 * in each language rather than glued together in code.
 */
export function render(line: Line, t: (key: BackendKey, params?: Params) => string, extra: Params = {}): string {
  const given = { ...line.params, ...extra };
  const params: Params = {};
  for (const [k, v] of Object.entries(given))
    params[k] = typeof v === 'string' && v.startsWith('@') ? t(v.slice(1) as BackendKey, given) : v;
  // An empty optional part ("{{try}}") leaves no space at the end.
  return t(line.key, params).trim();
}
