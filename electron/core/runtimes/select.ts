/**
 * Which runtime the app runs on, and why. Pure: the manager gathers the runtimes, runs their device checks and the
 * chooser, and hands the results here; table-tested in select.test.ts.
 *
 * Decisions (docs/ARCHITECTURE.md, "Runtimes"):
 * - The legacy override (settings.llamaServerPath / DEEPLOCAL_LLAMA_SERVER) wins over everything, as it always has.
 * - A runtime chosen in Settings stays active even when its check fails: the user asked for it, so we do not swap it
 *   silently; the summary (and gpuUnusable) say what is wrong. A chosen id that is not installed falls back to auto
 *   and the summary says so.
 * - auto walks `autoOrder`: the chooser's GPU variants in its order, then other installed GPU variants (someone
 *   fetched them: a card the probe could not name, lavapipe), then the CPU; newest install first within a variant.
 *   The first runtime whose check is ok wins; every failed check before it is a fallback, in order. When none
 *   passes, a runtime that only lists no GPU (or was too slow to answer) still runs models on the CPU: it is used as
 *   a last resort rather than none.
 */
import {
  runtimeVariantLabels,
  type RuntimeCandidate,
  type RuntimeCheck,
  type RuntimeReason,
  type RuntimeSelection,
  type RuntimeSource,
  type RuntimeVariant,
} from '../../shared/runtimes';
import { runtimeReason } from '../../shared/runtimes';

export interface RuntimeLike {
  id: string;
  variant: RuntimeVariant;
  source: RuntimeSource;
  tag: string | null;
  installedAt: number;
}

export interface SelectInput<R extends RuntimeLike> {
  /** `auto` or a runtime id (settings.runtime.active). */
  setting: string;
  /** The chooser's order for this hardware, best first, cpu last. */
  candidates: RuntimeCandidate[];
  runtimes: R[];
  /** Device checks by runtime id; a runtime without one has not been checked (yet). */
  checks: ReadonlyMap<string, RuntimeCheck>;
  /** GPUs the vendor tools and the OS see (never the backend's own list): what a runtime could be missing. */
  gpus: string[];
  /** The legacy override with where it came from ("DEEPLOCAL_LLAMA_SERVER"), or null. */
  override?: { runtime: R; from: string } | null;
}

export interface Selected<R extends RuntimeLike> extends Omit<RuntimeSelection, 'active'> {
  active: R | null;
  /** Why the active runtime's variant (the chooser's reason, USER_CHOICE, or null for an override or extra). */
  reason: RuntimeReason | null;
  /** Whether the active runtime printed a device list (even an empty one): "listed none" is not "unknown". */
  listed: boolean;
}

/** GPU variants tried after the chooser's when installed (most specific first); cpu always comes last. */
const GPU_ORDER: RuntimeVariant[] = ['cuda-13', 'cuda-12', 'rocm', 'metal', 'vulkan'];

/** Problems that leave a runtime able to run models on the CPU: acceptable when nothing else works. */
const STILL_RUNS = new Set(['NO_GPU_LISTED', 'TIMEOUT']);

const label = (v: RuntimeVariant) => runtimeVariantLabels[v];

function newestFirst<R extends RuntimeLike>(a: R, b: R): number {
  return b.installedAt - a.installedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The order auto tries runtimes in (the manager checks them in this order until one passes). */
export function autoOrder<R extends RuntimeLike>(candidates: RuntimeCandidate[], runtimes: R[]): R[] {
  const variants: RuntimeVariant[] = [];
  for (const c of candidates) if (c.variant !== 'cpu' && !variants.includes(c.variant)) variants.push(c.variant);
  for (const v of GPU_ORDER) if (!variants.includes(v)) variants.push(v);
  variants.push('cpu');
  return variants.flatMap((v) => runtimes.filter((r) => r.variant === v).sort(newestFirst));
}

/** A check that printed a device list: ok, or a GPU build that listed none. */
export function checkListed(check: RuntimeCheck | undefined): boolean {
  return !!check && (check.ok || check.problem?.code === 'NO_GPU_LISTED');
}

/** The variant to offer when the computer's GPU goes unused: the first GPU candidate not already shown useless. */
export function suggestVariant(
  candidates: RuntimeCandidate[],
  active: RuntimeVariant | null,
  failedNoGpu: RuntimeVariant[],
): RuntimeVariant | null {
  const c = candidates.find((c) => c.variant !== 'cpu' && c.variant !== active && !failedNoGpu.includes(c.variant));
  return c?.variant ?? null;
}

export function selectRuntime<R extends RuntimeLike>(input: SelectInput<R>): Selected<R> {
  const { candidates, checks } = input;
  const fallbacks: RuntimeCheck[] = [];
  let active: R | null = null;
  let reason: RuntimeReason | null = null;
  let lead = '';
  let how: 'override' | 'user' | 'auto' = 'auto';

  const explicit = input.setting !== 'auto' ? input.runtimes.find((r) => r.id === input.setting) : undefined;
  if (input.override) {
    active = input.override.runtime;
    how = 'override';
  } else if (explicit) {
    active = explicit;
    reason = runtimeReason('USER_CHOICE');
    how = 'user';
  } else {
    if (input.setting !== 'auto')
      lead = `Runtime "${input.setting}" chosen in Settings is not installed; choosing automatically. `;
    let lastResort: R | null = null;
    for (const r of autoOrder(candidates, input.runtimes)) {
      const check = checks.get(r.id);
      if (!check || check.ok) {
        active = r;
        break;
      }
      fallbacks.push(check);
      if (!lastResort && check.problem && STILL_RUNS.has(check.problem.code)) lastResort = r;
    }
    if (!active && lastResort) {
      active = lastResort;
      // Its failure is told as "its check failed" below, not as a fallback before it.
      fallbacks.splice(fallbacks.indexOf(checks.get(lastResort.id)!), 1);
    }
    if (active) reason = candidates.find((c) => c.variant === active!.variant)?.reason ?? null;
  }

  const check = active ? checks.get(active.id) : undefined;
  const devices = check?.devices ?? [];
  const failedNoGpu = [...fallbacks, ...(check ? [check] : [])]
    .filter((c) => !c.ok && c.problem?.code === 'NO_GPU_LISTED')
    .map((c) => c.variant);
  const gpuUnusable =
    input.gpus.length > 0 && devices.length === 0
      ? { gpus: input.gpus, suggest: suggestVariant(candidates, active?.variant ?? null, failedNoGpu) }
      : null;

  const failed = fallbacks.map((f) => `${label(f.variant)} runtime: ${f.problem?.message ?? 'failed'}`);
  let using: string;
  if (!active) using = 'no llama.cpp runtime is installed that works here';
  else {
    const where = devices.length ? `on ${devices.map((d) => d.description).join(', ')}` : 'on the CPU';
    using = `using ${label(active.variant)} (${active.id}) ${where}`;
    if (how === 'override') using += ` (set by ${input.override!.from})`;
    if (how === 'user') using += ' (chosen in Settings)';
    if (!check) using += '; not checked yet';
    else if (!check.ok) using += `; its check failed: ${check.problem?.message ?? 'unknown problem'}`;
  }
  if (gpuUnusable)
    using += `; ${gpuUnusable.gpus.join(', ')} unused${gpuUnusable.suggest ? ` (the ${label(gpuUnusable.suggest)} runtime would use it)` : ''}`;
  const body = failed.length ? `${failed.join('; ')} — ${using}` : using;
  const summary = lead + body.charAt(0).toUpperCase() + body.slice(1);

  return {
    setting: input.setting,
    active,
    devices,
    candidates,
    fallbacks,
    gpuUnusable,
    summary,
    reason,
    listed: checkListed(check),
  };
}
