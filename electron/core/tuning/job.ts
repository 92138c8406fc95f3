/**
 * One tune job at a time (TUNE_BUSY otherwise): sweep the grid (all of it, or the auto search's share), pick the
 * best for chat, check it through the app's own chat path, save it. Every step is a `tune.progress` event. Cancel
 * stops the llama-bench run in flight and ends the job as cancelled with nothing saved. The I/O (llama-bench, the
 * backend, the profile store) is passed in; the decisions are in search.ts.
 */
import { randomUUID } from 'node:crypto';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { TuneConfig, TuneJob, TuneMode, TuneRow } from '../../shared/tuning';
import type { MeasuredRow } from './runner';
import { configLabel } from './bench-args';
import { gridSize, type GridSpace } from './grid';
import { nextConfig, pickBest, plannedCount } from './search';

/** Shares of the progress bar: the sweep, then the app check, then saving. */
const SWEEP_SHARE = 0.9;
const CHECK_SHARE = 0.08;

export interface TunePlan {
  modelPath: string;
  mode: TuneMode;
  space: GridSpace;
  /** Measures one configuration (runner.ts); must resolve, with an error row when the configuration failed. */
  measure(config: TuneConfig, signal: AbortSignal): Promise<MeasuredRow>;
  /** Loads the model with `best` and runs one real generation through the app's chat path: its tok/s. */
  appCheck(best: TuneConfig, signal: AbortSignal): Promise<{ appTgTps: number }>;
  /** Saves the pick as the model's defaults. */
  save(best: TuneRow): Promise<void>;
}

export interface TuneJobsDeps {
  emit(job: TuneJob): void;
  now?: () => number;
  log?: (msg: string) => void;
}

export class TuneJobs {
  private job: TuneJob | null = null;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: TuneJobsDeps) {
    this.now = deps.now ?? Date.now;
  }

  status(): TuneJob | null {
    return this.job;
  }

  /** Starts the job and answers its first state; the sweep goes on in the background. */
  start(plan: TunePlan): TuneJob {
    if (this.job?.state === 'running') throw new AppError('TUNE_BUSY');
    const total = plannedCount(plan.space, plan.mode);
    const abort = new AbortController();
    this.abort = abort;
    this.job = {
      id: randomUUID(),
      modelPath: plan.modelPath,
      mode: plan.mode,
      state: 'running',
      phase: 'sweep',
      progress: 0,
      etaS: null,
      done: 0,
      total,
      gridSize: gridSize(plan.space),
      rows: [],
      best: null,
      appCheck: null,
      saved: false,
      error: null,
      startedAt: this.now(),
      finishedAt: null,
    };
    const first = this.job;
    // A step that throws because it was cancelled (the app check's load or reply) ends the job as cancelled.
    // Run from the next tick, so `running` is set before anything the sweep calls back into can cancel it.
    this.running = Promise.resolve()
      .then(() => this.run(plan, abort.signal))
      .catch((e) => (abort.signal.aborted ? this.finish('cancelled') : this.finish('failed', toErrorInfo(e))));
    return first;
  }

  /** Stops the running job (nothing is saved); answers its state, or the last job's when none runs. */
  async cancel(): Promise<TuneJob | null> {
    if (this.job?.state !== 'running') return this.job;
    this.abort?.abort();
    await this.running;
    return this.job;
  }

  /** Resolves when the current job has ended (tests, CLI). */
  async settled(): Promise<TuneJob | null> {
    await this.running;
    return this.job;
  }

  private update(patch: Partial<TuneJob>): void {
    this.job = { ...this.job!, ...patch };
    this.deps.emit(this.job);
  }

  private finish(state: 'done' | 'failed' | 'cancelled', error: TuneJob['error'] = null): void {
    if (!this.job || this.job.state !== 'running') return;
    this.update({
      state,
      phase: 'finished',
      error,
      etaS: 0,
      finishedAt: this.now(),
      ...(state === 'done' ? { progress: 1 } : {}),
    });
  }

  private async run(plan: TunePlan, signal: AbortSignal): Promise<void> {
    const rows: TuneRow[] = [];
    let spentMs = 0;
    this.deps.emit(this.job!);
    for (;;) {
      if (signal.aborted) return this.finish('cancelled');
      const config = nextConfig(plan.space, plan.mode, rows);
      if (!config) break;
      const m = await plan.measure(config, signal);
      if (m.aborted || signal.aborted) return this.finish('cancelled');
      rows.push(m.row);
      spentMs += m.durationMs;
      this.deps.log?.(
        `tune: ${configLabel(config)} → ${m.row.error ? `failed (${m.row.error.message})` : `pp ${m.row.ppTps?.toFixed(1)} tg ${m.row.tgTps?.toFixed(1)} t/s`}`,
      );
      const total = Math.max(this.job!.total, rows.length);
      const perConfig = spentMs / rows.length;
      this.update({
        rows: [...rows],
        done: rows.length,
        total,
        progress: SWEEP_SHARE * (rows.length / total),
        // Left: the configurations still planned, and about one more for the app check.
        etaS: Math.round(((total - rows.length + 1) * perConfig) / 1000),
        best: pickBest(rows)?.config ?? null,
      });
    }
    const best = pickBest(rows);
    if (!best) {
      const reason = rows.find((r) => r.error)?.error?.message ?? 'no configuration produced a figure';
      return this.finish('failed', toErrorInfo(new AppError('TUNE_FAILED', { reason })));
    }
    // The sweep may end before its planned count (the search converged): the bar says so.
    this.update({ phase: 'app-check', total: rows.length, progress: SWEEP_SHARE, best: best.config });
    if (signal.aborted) return this.finish('cancelled');
    const check = await plan.appCheck(best.config, signal);
    if (signal.aborted) return this.finish('cancelled');
    const benchTgTps = best.tgTps!;
    this.update({
      phase: 'saving',
      progress: SWEEP_SHARE + CHECK_SHARE,
      etaS: 0,
      appCheck: { appTgTps: check.appTgTps, benchTgTps, ratio: check.appTgTps / benchTgTps },
    });
    if (signal.aborted) return this.finish('cancelled');
    await plan.save(best);
    this.update({ saved: true });
    this.finish('done');
  }
}
