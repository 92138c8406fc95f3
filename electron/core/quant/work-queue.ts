/**
 * The work queue (issue 14): quantize, importance-matrix and quality jobs, one at a time (each tool uses every core
 * or the GPU), first queued first, a job waiting for the job it needs (`after`). Snapshots go out at every state or
 * phase change and at most every 250 ms while a job runs (speed and ETA over a recent window, one progress fraction
 * over all its phases). The list is kept in work.json (work-store.ts): after a restart, what was queued or running
 * is `interrupted`, shown and never restarted by itself. The decisions are in work-plan.ts; what a job does is the
 * `run` its creator passes (compose/quant.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { AppError, toErrorInfo, type ErrorInfo } from '../../shared/errors';
import type { QualityResult, QuantWarning, WorkJob, WorkKind, WorkPhase, WorkState } from '../../shared/quant';
import { WriteQueue } from '../util/atomic-write';
import type { RunContext, RunProgress } from './types';
import {
  addSample,
  etaOf,
  isLive,
  nextStep,
  overallProgress,
  snapshotDelay,
  speedOf,
  unitOf,
  type Sample,
} from './work-plan';
import { loadWork, saveWork } from './work-store';

/** What a finished run leaves on its job. */
export interface WorkOutcome {
  outputPath?: string | null;
  libraryId?: string | null;
  result?: QualityResult | null;
  /** The answer came from a cache; nothing was recomputed. */
  cached?: boolean;
}

export interface WorkSpec {
  kind: WorkKind;
  modelPath: string;
  /** Shown in the list; the file name without .gguf when not given. */
  modelName?: string;
  target: string;
  /** The job that must complete first. */
  after?: string | null;
  warnings?: QuantWarning[];
  /** The phases it goes through and their shares of the progress bar (work-plan.ts phasePlan). */
  phases: [WorkPhase, number][];
  /** Where its output will be (shown while it runs); the outcome may change it. */
  outputPath?: string | null;
  run(ctx: RunContext): Promise<WorkOutcome>;
}

export interface WorkQueueDeps {
  dataDir: string;
  emit(job: WorkJob): void;
  emitRemoved(id: string): void;
  log(msg: string): void;
  now?: () => number;
  /**
   * The stored list once loaded, before any method answers (so before any job can start): the owner removes what
   * interrupted jobs left behind.
   */
  restored?(jobs: WorkJob[]): Promise<void>;
}

interface Entry {
  job: WorkJob;
  spec: WorkSpec | null;
  abort: AbortController | null;
  samples: Sample[];
  lastEmit: number;
  timer: NodeJS.Timeout | null;
}

const TERMINAL: ReadonlySet<WorkState> = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

export class WorkQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly writes = new WriteQueue();
  private readonly file: string;
  private readonly now: () => number;
  private loaded: Promise<void> | null = null;
  private running: Promise<void> | null = null;
  private disposed = false;
  private waiters = new Map<string, ((j: WorkJob) => void)[]>();

  constructor(private readonly d: WorkQueueDeps) {
    this.file = path.join(d.dataDir, 'work.json');
    this.now = d.now ?? Date.now;
  }

  /** Loads the stored list once (every public method waits for it). */
  init(): Promise<void> {
    this.loaded ??= loadWork(this.file, (m) => this.d.log(m), this.now()).then(async (jobs) => {
      for (const job of jobs) this.entries.set(job.id, this.entry(job, null));
      await this.d
        .restored?.(jobs.map((j) => ({ ...j })))
        .catch((e: unknown) => this.d.log(`work list: leftovers not cleaned up (${(e as Error).message})`));
      // The interrupted states are written back, so a second restart reads what the UI showed.
      if (jobs.length) await this.persist();
    });
    return this.loaded;
  }

  private entry(job: WorkJob, spec: WorkSpec | null): Entry {
    return { job, spec, abort: null, samples: [], lastEmit: 0, timer: null };
  }

  /** The jobs, newest first. */
  async list(): Promise<WorkJob[]> {
    await this.init();
    return [...this.entries.values()].map((e) => ({ ...e.job })).sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<WorkJob> {
    await this.init();
    return { ...this.mustGet(id).job };
  }

  private mustGet(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new AppError('WORK_NOT_FOUND', { id });
    return e;
  }

  private fresh(spec: Pick<WorkSpec, 'kind' | 'modelPath' | 'modelName' | 'target' | 'after' | 'warnings'>): WorkJob {
    const now = this.now();
    return {
      id: randomUUID(),
      kind: spec.kind,
      state: 'queued',
      phase: 'waiting',
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      modelPath: spec.modelPath,
      modelName: spec.modelName ?? path.basename(spec.modelPath).replace(/\.gguf$/i, ''),
      target: spec.target,
      after: spec.after ?? null,
      done: 0,
      total: 0,
      progress: 0,
      speed: null,
      etaSeconds: null,
      outputPath: null,
      libraryId: null,
      result: null,
      cached: false,
      warnings: spec.warnings ?? [],
      error: null,
    };
  }

  /** Queues jobs (in order: a later one may name an earlier one's id in `after`); answers their first snapshots. */
  async add(specs: WorkSpec[]): Promise<WorkJob[]> {
    await this.init();
    if (this.disposed) throw new AppError('UNSUPPORTED', { what: 'new work while the app shuts down' });
    const out: WorkJob[] = [];
    for (const spec of specs) {
      const job = { ...this.fresh(spec), outputPath: spec.outputPath ?? null };
      this.entries.set(job.id, this.entry(job, spec));
      out.push({ ...job });
      this.emitNow(this.entries.get(job.id)!);
    }
    await this.persist();
    this.pump();
    return out;
  }

  /** A job that is done without running anything (a cached quality result): completed at once, `cached: true`. */
  async addCompleted(
    spec: Pick<WorkSpec, 'kind' | 'modelPath' | 'modelName' | 'target' | 'warnings'>,
    outcome: WorkOutcome,
  ): Promise<WorkJob> {
    await this.init();
    const now = this.now();
    const job: WorkJob = {
      ...this.fresh(spec),
      state: 'completed',
      phase: 'finished',
      startedAt: now,
      finishedAt: now,
      progress: 1,
      etaSeconds: 0,
      cached: true,
      outputPath: outcome.outputPath ?? null,
      libraryId: outcome.libraryId ?? null,
      result: outcome.result ?? null,
    };
    const e = this.entry(job, null);
    this.entries.set(job.id, e);
    this.emitNow(e);
    await this.persist();
    return { ...job };
  }

  /** Cancels a queued job at once, or stops the running one (its runner kills the tool and removes partial output). */
  async cancel(id: string): Promise<WorkJob> {
    await this.init();
    const e = this.mustGet(id);
    if (e.job.state === 'queued') {
      await this.settle(e, 'cancelled', null);
      this.pump();
    } else if (e.job.state === 'running') {
      e.abort?.abort();
      // Answer once the runner has stopped, so the caller sees `cancelled` and no partial file.
      await this.waitFor(id);
    }
    return { ...e.job };
  }

  /** Forgets a job that no longer runs: WORK_ACTIVE while queued or running, WORK_NOT_FOUND when unknown. */
  async remove(id: string): Promise<{ removed: boolean }> {
    await this.init();
    const e = this.mustGet(id);
    if (isLive(e.job)) throw new AppError('WORK_ACTIVE', { id });
    if (e.timer) clearTimeout(e.timer);
    this.entries.delete(id);
    this.d.emitRemoved(id);
    await this.persist();
    return { removed: true };
  }

  /** Resolves with the job once it is completed, failed, cancelled or interrupted. */
  async waitFor(id: string): Promise<WorkJob> {
    await this.init();
    const e = this.mustGet(id);
    if (TERMINAL.has(e.job.state)) return { ...e.job };
    return new Promise((r) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), r]));
  }

  /**
   * App exit: nothing new starts, the running job is stopped (its runner removes its partial output) and, with
   * everything still queued, marked interrupted; resolves once the runner has stopped and the list is saved.
   */
  async dispose(): Promise<void> {
    if (!this.loaded) return;
    await this.loaded;
    this.disposed = true;
    for (const e of this.entries.values()) {
      if (e.job.state === 'running') e.abort?.abort();
    }
    await this.running;
    for (const e of this.entries.values()) {
      if (e.job.state === 'queued') await this.settle(e, 'interrupted', null, false);
      if (e.timer) clearTimeout(e.timer);
    }
    await this.persist();
  }

  private async persist(): Promise<void> {
    const jobs = [...this.entries.values()].map((e) => e.job);
    await saveWork(this.file, jobs, this.writes).catch((e: unknown) =>
      this.d.log(`could not save the work list: ${(e as Error).message}`),
    );
  }

  private emitNow(e: Entry) {
    if (e.timer) {
      clearTimeout(e.timer);
      e.timer = null;
    }
    e.lastEmit = this.now();
    this.d.emit({ ...e.job });
  }

  private emitSoon(e: Entry) {
    const wait = snapshotDelay(this.now(), e.lastEmit, false);
    if (wait <= 0) return this.emitNow(e);
    e.timer ??= setTimeout(() => {
      e.timer = null;
      this.emitNow(e);
    }, wait);
  }

  private async settle(e: Entry, state: WorkState, error: ErrorInfo | null, save = true) {
    const now = this.now();
    e.job = {
      ...e.job,
      state,
      error,
      updatedAt: now,
      finishedAt: now,
      speed: null,
      etaSeconds: state === 'completed' ? 0 : null,
      ...(state === 'completed' ? { phase: 'finished' as const, progress: 1 } : {}),
    };
    e.abort = null;
    e.spec = null;
    this.emitNow(e);
    if (save) await this.persist();
    const w = this.waiters.get(e.job.id) ?? [];
    this.waiters.delete(e.job.id);
    for (const f of w) f({ ...e.job });
  }

  /** Starts the next job when none runs (and settles jobs whose dependency ended badly on the way). */
  private pump() {
    if (this.running || this.disposed) return;
    for (;;) {
      const step = nextStep([...this.entries.values()].map((e) => e.job));
      if (!step) return;
      const e = this.entries.get(step.id)!;
      if (step.kind === 'run') {
        this.running = this.runOne(e).finally(() => {
          this.running = null;
          this.pump();
        });
        return;
      }
      // Settled synchronously in memory (the save follows), so the loop sees the new state.
      void this.settle(e, step.kind === 'fail' ? 'failed' : 'cancelled', step.kind === 'fail' ? step.error : null);
    }
  }

  private report(e: Entry, p: RunProgress) {
    const now = this.now();
    const spec = e.spec;
    if (!spec || e.job.state !== 'running') return;
    const phaseChange = p.phase !== e.job.phase;
    if (phaseChange) e.samples = [];
    const done = Math.max(0, Math.floor(p.done));
    const total = Math.max(0, Math.floor(p.total));
    const progress = overallProgress(spec.phases, p.phase, done, total, e.job.progress);
    e.samples = addSample(e.samples, { t: now, done, progress });
    const speed = speedOf(e.samples);
    e.job = {
      ...e.job,
      phase: p.phase,
      done,
      total,
      progress,
      updatedAt: now,
      speed: speed === null ? null : { value: speed, unit: unitOf(p.phase) },
      etaSeconds: etaOf(e.samples) ?? (phaseChange ? null : e.job.etaSeconds),
    };
    if (phaseChange) {
      this.emitNow(e);
      void this.persist();
    } else this.emitSoon(e);
  }

  private async runOne(e: Entry): Promise<void> {
    const spec = e.spec;
    if (!spec) return this.settle(e, 'failed', toErrorInfo(new Error('nothing to run')));
    const abort = new AbortController();
    e.abort = abort;
    const now = this.now();
    e.job = { ...e.job, state: 'running', phase: spec.phases[0]?.[0] ?? 'checking', startedAt: now, updatedAt: now };
    e.samples = [];
    this.emitNow(e);
    await this.persist();
    const ctx: RunContext = {
      signal: abort.signal,
      report: (p) => this.report(e, p),
      log: (line) => this.d.log(`${spec.kind} ${e.job.target}: ${line}`),
    };
    try {
      // Cancelled while the list was being saved: the run never starts.
      if (abort.signal.aborted) throw new Error('cancelled before it started');
      const out = await spec.run(ctx);
      e.job = {
        ...e.job,
        ...(out.outputPath !== undefined ? { outputPath: out.outputPath } : {}),
        ...(out.libraryId !== undefined ? { libraryId: out.libraryId } : {}),
        ...(out.result !== undefined ? { result: out.result } : {}),
        ...(out.cached !== undefined ? { cached: out.cached } : {}),
      };
      await this.settle(e, 'completed', null);
    } catch (err) {
      if (abort.signal.aborted) {
        // App exit interrupts; a user's cancel cancels.
        await this.settle(e, this.disposed ? 'interrupted' : 'cancelled', null);
      } else {
        this.d.log(`${spec.kind} ${e.job.target} failed: ${(err as Error).message ?? String(err)}`);
        await this.settle(e, 'failed', toErrorInfo(err));
      }
    }
  }
}
