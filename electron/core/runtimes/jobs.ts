/**
 * Runtime jobs (getting one runtime: resolve, download, verify, unpack, check) as snapshots the UI can show: the
 * phase, bytes with speed and ETA (downloads/speed.ts), an error as a value. Snapshots go out at every phase change
 * and at most every 250 ms while bytes flow; a job can be cancelled, which aborts its signal.
 */
import { randomUUID } from 'node:crypto';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { RuntimeJob, RuntimeJobPhase, RuntimeVariant } from '../../shared/runtimes';
import { recordSample, speedAndEta, type SpeedSample } from '../downloads/speed';

export const PROGRESS_INTERVAL_MS = 250;
/** Finished jobs kept for runtimes.list (the newest). */
const KEEP_FINISHED = 20;

export interface JobProgress {
  phase: RuntimeJobPhase;
  receivedBytes?: number;
  totalBytes?: number | null;
  /** The release tag once resolved (a job started for "the pinned one" or "latest" learns it here). */
  tag?: string;
}

export interface JobContext {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

interface Entry {
  job: RuntimeJob;
  abort: AbortController;
  samples: SpeedSample[];
  lastEmit: number;
  done: Promise<RuntimeJob>;
}

const FINAL: ReadonlySet<RuntimeJobPhase> = new Set(['done', 'failed', 'cancelled']);

export class RuntimeJobs {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly emit: (job: RuntimeJob) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts `run` as a job; it answers the installed runtime's id. RUNTIME_BUSY while the variant is being fetched. */
  start(variant: RuntimeVariant, tag: string | null, run: (ctx: JobContext) => Promise<string>): RuntimeJob {
    if (this.list().some((j) => j.variant === variant && !FINAL.has(j.phase)))
      throw new AppError('RUNTIME_BUSY', { variant });
    const abort = new AbortController();
    const job: RuntimeJob = {
      id: randomUUID(),
      variant,
      tag,
      phase: 'resolve',
      receivedBytes: 0,
      totalBytes: null,
      bytesPerSecond: null,
      etaSeconds: null,
      startedAt: this.now(),
      runtimeId: null,
      error: null,
    };
    const entry: Entry = { job, abort, samples: [], lastEmit: 0, done: Promise.resolve(job) };
    this.entries.set(job.id, entry);
    const ctx: JobContext = { signal: abort.signal, progress: (p) => this.progress(entry, p) };
    entry.done = run(ctx).then(
      (runtimeId) => this.finish(entry, { phase: 'done', runtimeId }),
      (e: unknown) =>
        this.finish(entry, abort.signal.aborted ? { phase: 'cancelled' } : { phase: 'failed', error: toErrorInfo(e) }),
    );
    this.send(entry);
    return { ...job };
  }

  /** Stops a running job (its partial download and staging are removed by the install); a finished one is answered as is. */
  cancel(id: string): RuntimeJob {
    const e = this.entries.get(id);
    if (!e) throw new AppError('NOT_FOUND', { what: `runtime job ${id}` });
    if (!FINAL.has(e.job.phase)) e.abort.abort();
    return { ...e.job };
  }

  /** Resolves with the final snapshot. */
  wait(id: string): Promise<RuntimeJob> {
    const e = this.entries.get(id);
    if (!e) return Promise.reject(new AppError('NOT_FOUND', { what: `runtime job ${id}` }));
    return e.done;
  }

  list(): RuntimeJob[] {
    return [...this.entries.values()].map((e) => ({ ...e.job }));
  }

  /** Aborts every running job (dispose). */
  cancelAll(): Promise<unknown> {
    for (const e of this.entries.values()) if (!FINAL.has(e.job.phase)) e.abort.abort();
    return Promise.all([...this.entries.values()].map((e) => e.done));
  }

  private progress(e: Entry, p: JobProgress): void {
    if (FINAL.has(e.job.phase)) return;
    const phaseChanged = p.phase !== e.job.phase;
    const job = e.job;
    job.phase = p.phase;
    if (p.totalBytes !== undefined) job.totalBytes = p.totalBytes;
    if (p.tag !== undefined) job.tag = p.tag;
    if (p.receivedBytes !== undefined) {
      job.receivedBytes = p.receivedBytes;
      const t = this.now();
      recordSample(e.samples, { t, bytes: p.receivedBytes });
      const s = speedAndEta(e.samples, job.totalBytes ?? p.receivedBytes);
      if (s) {
        job.bytesPerSecond = s.bytesPerSecond;
        job.etaSeconds = job.totalBytes === null ? null : s.etaSeconds;
      }
    }
    if (phaseChanged && p.phase !== 'download') {
      job.bytesPerSecond = null;
      job.etaSeconds = null;
    }
    if (phaseChanged || this.now() - e.lastEmit >= PROGRESS_INTERVAL_MS) this.send(e);
  }

  private finish(e: Entry, patch: Partial<RuntimeJob>): RuntimeJob {
    Object.assign(e.job, { bytesPerSecond: null, etaSeconds: null }, patch);
    this.send(e);
    const finished = [...this.entries.values()].filter((x) => FINAL.has(x.job.phase));
    for (const old of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.entries.delete(old.job.id);
    return { ...e.job };
  }

  private send(e: Entry): void {
    e.lastEmit = this.now();
    this.emit({ ...e.job });
  }
}
