/**
 * The download queue: jobs (one model = one file or all shards of a split one), run one or a few at a time, with
 * pause / resume / cancel, progress (bytes, speed, ETA) throttled to 4 events a second, and a job list that survives
 * restarts (downloads.json; the bytes themselves resume from each file's sidecar).
 *
 * A file moves into the models folder only after its SHA-256 matched the hub's and the injected check (the GGUF
 * header) passed; until then it lives under <models>/.incomplete/ as `<name>.partial`, which the library never
 * lists. All shards of a split model move together at the end (job-run.ts runs a job; job-store.ts keeps the list).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { AppError, ErrorInfo, toErrorInfo } from '../../shared/errors';
import type { DownloadJob, DownloadRequest } from '../../shared/models';
import { WriteQueue } from '../util/atomic-write';
import { bytesOnDisk, isFile, pruneIncomplete, removePartial } from './job-files';
import { runJobFiles, type InstalledRecord, type Job, type RunDeps } from './job-run';
import { loadJobs, saveJobs, type FileSpec } from './job-store';
import { checkPlacement, placeFile } from './placement';
import { resolveDownload, type ResolveDeps } from './resolve';

/** A completed download as the library rebuilds a damaged library.json from it. */
export interface DownloadRecord extends InstalledRecord {
  files: { path: string; sha256: string; sizeBytes: number }[];
  /** When it completed. */
  at: number;
}

export interface ManagerDeps extends RunDeps {
  dataDir: string;
  maxConcurrent: () => Promise<number>;
  resolve: Omit<ResolveDeps, 'signal'>;
  emit: (job: DownloadJob) => void;
  /** A job was removed from the list. */
  emitRemoved?: (id: string) => void;
  /** True when `file` is in the library as verified with this SHA-256 (then it is not downloaded again). */
  isInstalled: (file: string, sha256: string) => Promise<boolean>;
  log?: (m: string) => void;
}

const TERMINAL = new Set(['completed', 'cancelled']);

class Reason extends Error {
  constructor(readonly kind: 'pause' | 'cancel' | 'shutdown') {
    super(kind);
  }
}

export class DownloadManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue = new WriteQueue();
  private readonly file: string;
  private loaded = false;
  private waiters = new Map<string, ((j: DownloadJob) => void)[]>();

  constructor(private readonly d: ManagerDeps) {
    this.file = path.join(d.dataDir, 'downloads.json');
  }

  private log(m: string) {
    this.d.log?.(m);
  }

  /** Loads the job list; jobs that were running when the app stopped come back paused. */
  async init(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    for (const st of await loadJobs(this.file, (m) => this.log(m))) {
      const j: Job = { ...st, run: null, warm: new Map(), samples: [], lastEmit: 0, emitTimer: null };
      // A job whose files cannot be read now keeps its stored figures: one bad entry must not stop the app's start.
      if (!TERMINAL.has(j.job.state))
        await this.refreshReceived(j).catch((e: unknown) =>
          this.log(`download ${j.job.id}: ${String(e).slice(0, 200)}`),
        );
      this.jobs.set(j.job.id, j);
    }
  }

  /** Completed downloads with their verified files (to rebuild a damaged library.json from). */
  async completedRecords(): Promise<DownloadRecord[]> {
    await this.init();
    return [...this.jobs.values()]
      .filter((j) => j.job.state === 'completed')
      .map((j) => ({
        path: j.job.targetPath,
        files: j.files.map((f) => ({ path: f.target, sha256: f.sha256, sizeBytes: f.sizeBytes })),
        hub: j.job.hub,
        repo: j.job.repo,
        catalogId: j.job.catalogId,
        at: j.job.updatedAt,
      }));
  }

  list(): DownloadJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j.job })).sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): DownloadJob {
    return { ...this.mustGet(id).job };
  }

  private mustGet(id: string): Job {
    const j = this.jobs.get(id);
    if (!j) throw new AppError('DOWNLOAD_NOT_FOUND', { id });
    return j;
  }

  private async persist(): Promise<void> {
    await saveJobs(
      this.file,
      [...this.jobs.values()].map((j) => ({ job: j.job, files: j.files, candidates: j.candidates })),
      this.queue,
    );
  }

  private emitNow(j: Job) {
    j.lastEmit = Date.now();
    if (j.emitTimer) {
      clearTimeout(j.emitTimer);
      j.emitTimer = null;
    }
    this.d.emit({ ...j.job });
  }

  /** Progress is throttled to one event per 250 ms per job; state changes go out at once. */
  private emitSoon(j: Job) {
    const wait = 250 - (Date.now() - j.lastEmit);
    if (wait <= 0) return this.emitNow(j);
    j.emitTimer ??= setTimeout(() => {
      j.emitTimer = null;
      this.emitNow(j);
    }, wait);
  }

  private async setState(j: Job, state: DownloadJob['state'], error: ErrorInfo | null = null) {
    j.job.state = state;
    j.job.error = error;
    j.job.updatedAt = Date.now();
    if (state !== 'downloading') {
      j.job.bytesPerSecond = 0;
      j.job.etaSeconds = state === 'completed' ? 0 : null;
    }
    this.emitNow(j);
    await this.persist().catch((e) => this.log(`could not save the download list: ${(e as Error).message}`));
    if (state !== 'downloading' && state !== 'verifying' && state !== 'queued') {
      const w = this.waiters.get(j.job.id) ?? [];
      this.waiters.delete(j.job.id);
      for (const f of w) f({ ...j.job });
    }
  }

  /** Resolves when the job stops: completed, failed, paused or cancelled. */
  waitFor(id: string): Promise<DownloadJob> {
    const j = this.mustGet(id);
    if (!j.run && j.job.state !== 'queued') return Promise.resolve({ ...j.job });
    return new Promise((r) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), r]));
  }

  private async refreshReceived(j: Job) {
    let got = 0;
    for (const f of j.files) {
      if (await this.installed(f)) {
        got += f.sizeBytes;
        continue;
      }
      const n = await bytesOnDisk(f);
      got += n;
      const jf = j.job.files.find((x) => x.path === f.path);
      if (jf) jf.receivedBytes = n;
    }
    j.job.receivedBytes = got;
  }

  /** Queues a download (or resumes the paused/failed one for the same model). */
  async start(req: DownloadRequest, signal?: AbortSignal): Promise<DownloadJob> {
    await this.init();
    const r = await resolveDownload(req, { ...this.d.resolve, ...(signal ? { signal } : {}) });
    for (const s of r.skipped) this.log(s.error.message);
    const modelsDir = await this.d.modelsDir();
    const files = r.files.map((f) => ({
      path: f.path,
      sizeBytes: f.sizeBytes,
      sha256: f.sha256,
      ...placeFile(modelsDir, r.repo, f.path),
    }));
    for (const f of files) await checkPlacement(modelsDir, r.repo, f.path, f);
    // A snapshot is its folder (where config.json goes); a GGUF its first file.
    const target =
      r.format === 'safetensors' ? path.dirname(placeFile(modelsDir, r.repo, 'config.json').target) : files[0]!.target;
    const same = [...this.jobs.values()].find((j) => j.job.targetPath === target && j.job.state !== 'cancelled');
    if (same) {
      const changed = same.files.some((f, i) => f.sha256 !== files[i]?.sha256) || same.files.length !== files.length;
      if (!changed) {
        if (same.job.state === 'paused' || same.job.state === 'failed') return this.resume(same.job.id);
        if (same.job.state !== 'completed' || (await this.allInstalled(files))) return { ...same.job };
      }
      // A new revision upstream, or the completed files were deleted: start over as a new job.
      if (same.run) throw new AppError('DOWNLOAD_ACTIVE', { id: same.job.id });
      this.jobs.delete(same.job.id);
      this.d.emitRemoved?.(same.job.id);
    }
    const now = Date.now();
    const job: DownloadJob = {
      id: `${now.toString(36)}-${randomBytes(3).toString('hex')}`,
      createdAt: now,
      updatedAt: now,
      hub: r.hub,
      repo: r.repo,
      revision: r.revision,
      catalogId: r.catalogId,
      name: r.name,
      quant: r.quant,
      state: 'queued',
      endpoint: r.candidates[0]?.endpoint ?? null,
      files: files.map((f) => ({
        path: f.path,
        sizeBytes: f.sizeBytes,
        receivedBytes: 0,
        sha256: f.sha256,
        state: 'pending',
      })),
      totalBytes: files.reduce((n, f) => n + f.sizeBytes, 0),
      receivedBytes: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      targetPath: target,
      error: null,
      ...(r.format ? { format: r.format } : {}),
    };
    const j: Job = {
      job,
      files,
      candidates: r.candidates,
      run: null,
      warm: new Map(),
      samples: [],
      lastEmit: 0,
      emitTimer: null,
    };
    await this.refreshReceived(j);
    this.jobs.set(job.id, j);
    await this.setState(j, 'queued');
    void this.schedule();
    return { ...j.job };
  }

  async resume(id: string): Promise<DownloadJob> {
    await this.init();
    const j = this.mustGet(id);
    if (j.job.state === 'paused' || j.job.state === 'failed') {
      await this.setState(j, 'queued');
      void this.schedule();
    }
    return { ...j.job };
  }

  async pause(id: string): Promise<DownloadJob> {
    await this.init();
    const j = this.mustGet(id);
    if (j.run) {
      j.run.controller.abort(new Reason('pause'));
      await j.run.done;
    } else if (j.job.state === 'queued') await this.setState(j, 'paused');
    return { ...j.job };
  }

  async cancel(id: string): Promise<DownloadJob> {
    await this.init();
    const j = this.mustGet(id);
    if (j.run) {
      j.run.controller.abort(new Reason('cancel'));
      await j.run.done;
    }
    if (j.job.state !== 'completed' && j.job.state !== 'cancelled') {
      await this.removePartials(j);
      this.dropWarm(j);
      await this.setState(j, 'cancelled');
    }
    void this.schedule();
    return { ...j.job };
  }

  async remove(id: string): Promise<boolean> {
    await this.init();
    const j = this.jobs.get(id);
    if (!j) return false;
    if (j.run || j.job.state === 'queued') throw new AppError('DOWNLOAD_ACTIVE', { id });
    if (j.job.state !== 'completed') await this.removePartials(j);
    this.dropWarm(j);
    this.jobs.delete(id);
    // Before persisting: whatever the disk says, the job is gone from this list.
    this.d.emitRemoved?.(id);
    await this.persist();
    return true;
  }

  /** Pauses everything (app exit); partial files and the job list stay for the next start. */
  async dispose(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.run);
    for (const j of running) j.run!.controller.abort(new Reason('shutdown'));
    await Promise.all(running.map((j) => j.run?.done));
    for (const j of this.jobs.values()) {
      if (j.emitTimer) clearTimeout(j.emitTimer);
      this.dropWarm(j);
    }
  }

  private dropWarm(j: Job) {
    for (const w of j.warm.values()) w.sink.close();
    j.warm.clear();
  }

  private async installed(f: FileSpec): Promise<boolean> {
    return (await isFile(f.target)) && (await this.d.isInstalled(f.target, f.sha256));
  }

  private async allInstalled(files: FileSpec[]): Promise<boolean> {
    for (const f of files) if (!(await this.installed(f))) return false;
    return true;
  }

  private async removePartials(j: Job) {
    for (const f of j.files) await removePartial(f);
    await pruneIncomplete(j.files, await this.d.modelsDir());
  }

  private async schedule(): Promise<void> {
    const max = await this.d.maxConcurrent();
    const active = [...this.jobs.values()].filter((j) => j.run).length;
    const queued = [...this.jobs.values()]
      .filter((j) => j.job.state === 'queued' && !j.run)
      .sort((a, b) => a.job.updatedAt - b.job.updatedAt);
    for (const j of queued.slice(0, Math.max(0, max - active))) {
      const controller = new AbortController();
      j.run = { controller, done: Promise.resolve() };
      j.run.done = this.runJob(j, controller.signal).finally(() => {
        j.run = null;
        void this.schedule();
      });
    }
  }

  private async runJob(j: Job, signal: AbortSignal): Promise<void> {
    const { job } = j;
    try {
      await runJobFiles(j, signal, this.d, {
        setState: (x, s) => this.setState(x, s),
        emitSoon: (x) => this.emitSoon(x),
        installed: (f) => this.installed(f),
        log: (m) => this.log(m),
      });
      await this.setState(j, 'completed');
      this.log(`${job.name}${job.quant ? ` ${job.quant}` : ''}: verified and installed at ${job.targetPath}`);
    } catch (e) {
      const reason = signal.aborted ? signal.reason : null;
      if (reason instanceof Reason) {
        if (reason.kind === 'cancel') return; // cancel() finishes the job
        await this.setState(j, 'paused');
        return;
      }
      const info = toErrorInfo(e);
      this.log(`${job.name}: ${info.message}`);
      if (info.code === 'DOWNLOAD_HASH_MISMATCH') this.dropWarm(j);
      await this.refreshReceived(j).catch(() => undefined);
      await this.setState(j, 'failed', info);
    }
  }
}
