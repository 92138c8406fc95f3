/**
 * Pure decisions behind the runtime screens (Settings → Runtimes, the Hardware page's Runtime card, the wizard's
 * "your GPU cannot be used" notice). Testable without React or the app: view.test.ts.
 */
import { fillMessage } from '@shared/errors';
import {
  runtimeProblem,
  runtimeProblemMessages,
  runtimeReasonMessages,
  runtimeReason,
  type AvailableRuntime,
  type RuntimeCheck,
  type RuntimeInfo,
  type RuntimeJob,
  type RuntimeJobPhase,
  type RuntimeProblem,
  type RuntimeReason,
  type RuntimeSelection,
  type RuntimeVariant,
} from '@shared/runtimes';

const PHASE_ORDER: Record<RuntimeJobPhase, number> = {
  resolve: 0,
  download: 1,
  verify: 2,
  unpack: 3,
  check: 4,
  done: 5,
  failed: 5,
  cancelled: 5,
};

export const isFinished = (phase: RuntimeJobPhase) => PHASE_ORDER[phase] === 5;

/**
 * Two snapshots of one job from a fetch and from events can arrive in any order and carry no sequence number: a job
 * only moves forward (phases in order, bytes growing), so the one further along is the newer one.
 */
export function newerJob(a: RuntimeJob, b: RuntimeJob): RuntimeJob {
  const pa = PHASE_ORDER[a.phase];
  const pb = PHASE_ORDER[b.phase];
  if (pa !== pb) return pb > pa ? b : a;
  return b.receivedBytes >= a.receivedBytes ? b : a;
}

/** Jobs by id, each the newest snapshot; newest job first. */
export function mergeRuntimeJobs(current: RuntimeJob[], incoming: RuntimeJob[]): RuntimeJob[] {
  const byId = new Map(current.map((j) => [j.id, j]));
  for (const j of incoming) {
    const old = byId.get(j.id);
    byId.set(j.id, old ? newerJob(old, j) : j);
  }
  return [...byId.values()].sort((x, y) => y.startedAt - x.startedAt);
}

/** The job to show for a variant: one still running, else the most recent (its outcome), else none. */
export function jobForVariant(jobs: readonly RuntimeJob[], variant: RuntimeVariant): RuntimeJob | null {
  const mine = jobs.filter((j) => j.variant === variant).sort((x, y) => y.startedAt - x.startedAt);
  return mine.find((j) => !isFinished(j.phase)) ?? mine[0] ?? null;
}

/** Where a runtime came from, as the UI names it: the release tag, or what kind of build it is. */
export type RuntimeOrigin =
  | { kind: 'release'; tag: string }
  | { kind: 'source'; commit: string | null }
  | { kind: 'folder' }
  | { kind: 'bundled'; tag: string | null };

export function runtimeOrigin(r: Pick<RuntimeInfo, 'source' | 'tag' | 'commit'>): RuntimeOrigin {
  switch (r.source) {
    case 'release':
      return r.tag ? { kind: 'release', tag: r.tag } : { kind: 'source', commit: r.commit };
    case 'source':
      return { kind: 'source', commit: r.commit ? r.commit.slice(0, 7) : null };
    case 'folder':
      return { kind: 'folder' };
    case 'bundled':
      return { kind: 'bundled', tag: r.tag };
  }
}

/** What the last device check says about a runtime. */
export type CheckState = 'unchecked' | 'gpu' | 'cpu-only' | 'problem';

export function checkState(r: Pick<RuntimeInfo, 'variant' | 'lastCheck'>): CheckState {
  const c = r.lastCheck;
  if (!c) return 'unchecked';
  if (!c.ok || c.problem) return 'problem';
  return c.devices.length > 0 ? 'gpu' : 'cpu-only';
}

/** 0..1 for a progress bar, null while the amount is unknown or the phase has no byte count. */
export function jobFraction(job: RuntimeJob): number | null {
  if (job.phase !== 'download') return isFinished(job.phase) ? 1 : null;
  if (!job.totalBytes || job.totalBytes <= 0) return null;
  return Math.min(1, job.receivedBytes / job.totalBytes);
}

/** The release feed's offer for the variant the selection suggests (the fix for an unusable GPU), if any. */
export function offerFor(
  available: readonly AvailableRuntime[] | undefined,
  variant: RuntimeVariant | null,
): AvailableRuntime | null {
  if (!variant || !available) return null;
  return available.find((a) => a.variant === variant) ?? null;
}

/** An installed runtime of the variant that already works (its check listed a GPU): "Use" it, no download needed. */
export function installedFor(installed: readonly RuntimeInfo[] | undefined, variant: RuntimeVariant | null) {
  if (!variant || !installed) return null;
  const mine = installed.filter((r) => r.variant === variant && checkState(r) !== 'problem');
  return mine.sort((a, b) => b.installedAt - a.installedAt)[0] ?? null;
}

/** Why the active runtime is the one in use: the user's choice, or the chooser's reason for its variant. */
export function activeReason(sel: RuntimeSelection): RuntimeReason | null {
  if (!sel.active) return null;
  if (sel.setting !== 'auto') return runtimeReason('USER_CHOICE');
  return sel.candidates.find((c) => c.variant === sel.active!.variant)?.reason ?? null;
}

/** A failed check's problem; a check that failed without one listed no GPU (the only other way to fail). */
export const checkProblem = (c: RuntimeCheck): RuntimeProblem => c.problem ?? runtimeProblem('NO_GPU_LISTED');

/** Bytes on disk: its files as the manifest lists them (a user's folder may list none: 0, not shown). */
export const runtimeSize = (r: Pick<RuntimeInfo, 'files'>) => r.files.reduce((n, f) => n + f.size, 0);

type Lang = keyof typeof runtimeProblemMessages;
const langOf = (lng: string | undefined): Lang => (lng === 'zh-CN' ? 'zh-CN' : 'en');

/**
 * A check's problem or a choice's reason in the UI language, by code with its params, from the tables in
 * electron/shared/runtimes.ts (the English `message` only for a code this build does not know).
 */
export function problemText(lng: string | undefined, p: RuntimeProblem): string {
  const template = runtimeProblemMessages[langOf(lng)][p.code] as string | undefined;
  return template ? fillMessage(template, p.params) : p.message;
}
export function reasonText(lng: string | undefined, r: RuntimeReason): string {
  const template = runtimeReasonMessages[langOf(lng)][r.code] as string | undefined;
  return template ? fillMessage(template, r.params) : r.message;
}
