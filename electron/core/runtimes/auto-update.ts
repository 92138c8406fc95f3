/**
 * Runs the runtime auto-update (auto-update-plan.ts decides): once a while after start, then every `intervalMs`;
 * one at a time; an unreachable feed is one log line, never an error the user has to dismiss.
 */
import type { RuntimeJob, RuntimeList, RuntimeSettings } from '../../shared/runtimes';
import { autoUpdatePlan, autoUpdateWanted } from './auto-update-plan';

export interface AutoUpdateDeps {
  settings: () => Promise<RuntimeSettings>;
  list: () => Promise<RuntimeList>;
  /** The feed's latest tag (RuntimeManager.update without applying). */
  latestTag: () => Promise<string | null>;
  get: (variant: RuntimeJob['variant'], tag: string) => RuntimeJob;
  waitJob: (id: string) => Promise<RuntimeJob>;
  log: (msg: string) => void;
  delayMs: number;
  intervalMs: number;
}

export class RuntimeAutoUpdater {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly d: AutoUpdateDeps) {}

  start(): void {
    this.schedule(this.d.delayMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
        this.schedule(this.d.intervalMs);
      });
    }, ms);
    this.timer.unref?.();
  }

  /** One check; answers the job it started (and waited for), or null. */
  async runOnce(): Promise<RuntimeJob | null> {
    try {
      const [settings, list] = await Promise.all([this.d.settings(), this.d.list()]);
      const active = list.selection.active;
      // Asking the feed only when an update could follow keeps source-build and pinned setups offline.
      if (autoUpdateWanted(settings, active)) return null;
      const plan = autoUpdatePlan(settings, active, await this.d.latestTag(), list.installed);
      if (plan.action === 'none') return null;
      this.d.log(`runtimes: ${plan.tag} is out; fetching the ${plan.variant} runtime (the current one stays)`);
      const job = await this.d.waitJob(this.d.get(plan.variant, plan.tag).id);
      this.d.log(
        job.phase === 'done'
          ? `runtimes: ${job.runtimeId} installed and checked`
          : `runtimes: updating to ${plan.tag} ended ${job.phase}${job.error ? `: ${job.error.message}` : ''}`,
      );
      return job;
    } catch (e) {
      this.d.log(
        `runtimes: looking for a newer llama.cpp release failed (${e instanceof Error ? e.message : String(e)})`,
      );
      return null;
    }
  }

  /** No further checks; a running one ends when the manager cancels its job (see idle). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  async idle(): Promise<void> {
    await this.running;
  }
}
