/**
 * The download queue: jobs (one model = one file or all shards of a split one), run one or a few at a time, with
 * pause / resume / cancel, progress (bytes, speed, ETA) throttled to 4 events a second, and a job list that survives
 * restarts (downloads.json; the bytes themselves resume from each file's sidecar).
 *
 * A file moves into the models folder only after its SHA-256 matched the hub's and its GGUF header validated; until
 * then it lives under <models>/.incomplete/ as `<name>.partial`, which the library never lists. All shards of a
 * split model move together at the end.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorInfo, toErrorInfo } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { DownloadJob, type DownloadRequest, type EndpointInfo } from '../../shared/models';
import { GgufError, readGgufFile } from '../models/gguf';
import { ggufErrorToApp } from '../models/inspect';
import type { DownloadRecord } from '../models/library-file';
import { removeStaleTemps, WriteQueue, writeFileAtomic } from '../util/atomic-write';
import { setAside } from '../util/set-aside';
import { FileDownload, type FileDownloadIo } from './downloader';
import { downloadUrl, listRepoFiles, type HubHttp } from './hubs';
import type { WarmHash } from './ordered-hasher';
import { statfsFree } from './partial-file';
import { checkPlacement, checkStoredPlacement, INCOMPLETE_DIR, placeFile } from './placement';
import { resolveDownload, type Candidate, type ResolveDeps, type Resolved } from './resolve';
import { bytesDone, readSidecar, segmentsOf } from './sidecar';
import { SourcePool, type DownloadSource } from './sources';
import type { DownloadTuning } from './tuning';

export { INCOMPLETE_DIR };

const FileSpec = z.object({ path: z.string(), sizeBytes: z.number(), sha256: z.string(), target: z.string(), partial: z.string() });
type FileSpec = z.infer<typeof FileSpec>;
const CandidateSpec = z.object({
  endpoint: z.object({ id: z.enum(['huggingface', 'hf-mirror', 'modelscope', 'custom']), hub: z.enum(['huggingface', 'modelscope']), url: z.string() }),
  repo: z.string(),
  revision: z.string(),
  paths: z.array(z.string()),
});
const Stored = z.object({ job: DownloadJob, files: z.array(FileSpec), candidates: z.array(CandidateSpec) });
const StoreFile = z.object({ version: z.literal(1), jobs: z.array(Stored) });

interface Job {
  job: DownloadJob;
  files: FileSpec[];
  candidates: Candidate[];
  run: { controller: AbortController; done: Promise<void> } | null;
  warm: Map<string, WarmHash>;
  samples: { t: number; bytes: number }[];
  lastEmit: number;
  emitTimer: NodeJS.Timeout | null;
}

export interface InstalledRecord {
  /** Absolute path of the model (first shard). */
  path: string;
  files: { path: string; sha256: string }[];
  hub: string;
  repo: string;
  catalogId: string | null;
}

export interface ManagerDeps {
  dataDir: string;
  modelsDir: () => Promise<string>;
  maxConcurrent: () => Promise<number>;
  connections: () => Promise<number>;
  resolve: Omit<ResolveDeps, 'signal'>;
  http: HubHttp;
  tuning?: Partial<DownloadTuning>;
  io?: Partial<FileDownloadIo>;
  emit: (job: DownloadJob) => void;
  /** A job was removed from the list. */
  emitRemoved?: (id: string) => void;
  onInstalled: (rec: InstalledRecord) => Promise<void>;
  /** True when `file` is in the library as verified with this SHA-256 (then it is not downloaded again). */
  isInstalled: (file: string, sha256: string) => Promise<boolean>;
  log?: (m: string) => void;
  /** Free bytes kept on the disk besides the download. */
  diskReserveBytes?: number;
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
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const s = StoreFile.parse(JSON.parse(raw));
      for (const st of s.jobs) {
        const job = { ...st.job };
        if (job.state === 'queued' || job.state === 'downloading' || job.state === 'verifying') job.state = 'paused';
        job.bytesPerSecond = 0;
        job.etaSeconds = null;
        const j: Job = { job, files: st.files, candidates: st.candidates, run: null, warm: new Map(), samples: [], lastEmit: 0, emitTimer: null };
        if (!TERMINAL.has(job.state)) await this.refreshReceived(j);
        this.jobs.set(job.id, j);
      }
    } catch (e) {
      const aside = await setAside(this.file);
      this.log(`download list was unreadable (${(e as Error).message.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}`);
    }
  }

  /** Completed downloads with their verified files (to rebuild a damaged library.json from). */
  async completedRecords(): Promise<DownloadRecord[]> {
    await this.init();
    return [...this.jobs.values()]
      .filter((j) => j.job.state === 'completed')
      .map((j) => ({ path: j.job.targetPath, files: j.files.map((f) => ({ path: f.target, sha256: f.sha256, sizeBytes: f.sizeBytes })), hub: j.job.hub, repo: j.job.repo, catalogId: j.job.catalogId, at: j.job.updatedAt }));
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
    const body = { version: 1 as const, jobs: [...this.jobs.values()].map((j) => ({ job: j.job, files: j.files, candidates: j.candidates })) };
    await this.queue.run(() => writeFileAtomic(this.file, JSON.stringify(body, null, 1) + '\n'));
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
      const sc = await readSidecar(`${f.partial}.json`, { sha256: f.sha256, size: f.sizeBytes });
      const n = sc ? bytesDone(segmentsOf(f.sizeBytes, sc.segmentBytes, sc)) : 0;
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
    const files = r.files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, sha256: f.sha256, ...placeFile(modelsDir, r.repo, f.path) }));
    for (const f of files) await checkPlacement(modelsDir, r.repo, f.path, f);
    const target = files[0]!.target;
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
      files: files.map((f) => ({ path: f.path, sizeBytes: f.sizeBytes, receivedBytes: 0, sha256: f.sha256, state: 'pending' })),
      totalBytes: files.reduce((n, f) => n + f.sizeBytes, 0),
      receivedBytes: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      targetPath: target,
      error: null,
    };
    const j: Job = { job, files, candidates: r.candidates, run: null, warm: new Map(), samples: [], lastEmit: 0, emitTimer: null };
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
    return (await exists(f.target)) && (await this.d.isInstalled(f.target, f.sha256));
  }

  private async allInstalled(files: FileSpec[]): Promise<boolean> {
    for (const f of files) if (!(await this.installed(f))) return false;
    return true;
  }

  private async removePartials(j: Job) {
    for (const f of j.files) {
      await fs.rm(f.partial, { force: true });
      await fs.rm(`${f.partial}.json`, { force: true });
      // Sidecar temp files a killed run left; they would keep the folder from being pruned.
      await removeStaleTemps(`${f.partial}.json`);
    }
    await pruneEmptyDirs(path.dirname(j.files[0]!.partial), path.join(await this.d.modelsDir(), INCOMPLETE_DIR));
  }

  private async schedule(): Promise<void> {
    const max = await this.d.maxConcurrent();
    const active = [...this.jobs.values()].filter((j) => j.run).length;
    const queued = [...this.jobs.values()].filter((j) => j.job.state === 'queued' && !j.run).sort((a, b) => a.job.updatedAt - b.job.updatedAt);
    for (const j of queued.slice(0, Math.max(0, max - active))) {
      const controller = new AbortController();
      j.run = { controller, done: Promise.resolve() };
      j.run.done = this.runJob(j, controller.signal).finally(() => {
        j.run = null;
        void this.schedule();
      });
    }
  }

  private sources(j: Job, f: FileSpec, onSwitch: (s: DownloadSource) => void): SourcePool {
    const idx = j.files.indexOf(f);
    const primary = j.candidates[0];
    const initial: DownloadSource[] = primary ? [{ endpoint: primary.endpoint, url: downloadUrl(primary.endpoint, primary.repo, primary.revision, primary.paths[idx] ?? f.path) }] : [];
    // Alternates are accepted only when their listing has a file with the same SHA-256 and size.
    const more = async () => {
      const out: DownloadSource[] = [];
      for (const c of j.candidates.slice(1)) {
        try {
          const { files } = await listRepoFiles(c.endpoint, c.repo, c.revision, this.d.http);
          const match = files.find((x) => x.sha256 === f.sha256 && x.sizeBytes === f.sizeBytes);
          if (match) out.push({ endpoint: c.endpoint, url: downloadUrl(c.endpoint, c.repo, c.revision, match.path) });
          else this.log(`${c.endpoint.id} has no file with the SHA-256 of ${f.path}; not using it`);
        } catch (e) {
          this.log(`${c.endpoint.id} cannot list ${c.repo}: ${(e as Error).message}`);
        }
      }
      return out;
    };
    return new SourcePool(initial, more, onSwitch);
  }

  private async runJob(j: Job, signal: AbortSignal): Promise<void> {
    const { job } = j;
    const tuning: Partial<DownloadTuning> = { connections: await this.d.connections(), ...this.d.tuning };
    try {
      await this.setState(j, 'downloading');
      j.samples = [{ t: Date.now(), bytes: job.receivedBytes }];
      await this.checkDisk(j);
      let doneBytes = 0;
      for (const f of j.files) {
        const jf = job.files.find((x) => x.path === f.path)!;
        if (await this.installed(f)) {
          jf.state = 'done';
          jf.receivedBytes = f.sizeBytes;
          doneBytes += f.sizeBytes;
          continue;
        }
        jf.state = 'downloading';
        // Again at write time: the job may come from downloads.json, and folders may have changed since it was planned.
        await checkStoredPlacement(job.repo, f.path, f);
        const fd = new FileDownload(
          { label: f.path, size: f.sizeBytes, sha256: f.sha256, partialPath: f.partial, sidecarPath: `${f.partial}.json`, note: `${job.hub}:${job.repo}` },
          tuning,
          { fetch: this.d.http.fetch, log: (m) => this.log(m), ...this.d.io },
          this.sources(j, f, (s) => {
            job.endpoint = s.endpoint as EndpointInfo;
            this.log(`${f.path}: continuing from ${s.endpoint.id} (${s.endpoint.url})`);
            this.emitSoon(j);
          }),
          {
            signal,
            warm: j.warm.get(f.path) ?? null,
            onProgress: (n) => {
              jf.receivedBytes = n;
              job.receivedBytes = doneBytes + n;
              this.updateSpeed(j);
              this.emitSoon(j);
            },
          },
        );
        // The download owns the warm hash now; it hands a new one back only when paused.
        j.warm.delete(f.path);
        try {
          await fd.run();
        } catch (e) {
          if (fd.warm) j.warm.set(f.path, fd.warm);
          throw e;
        }
        jf.state = 'verifying';
        jf.receivedBytes = f.sizeBytes;
        await this.setState(j, 'verifying');
        try {
          await readGgufFile(f.partial);
        } catch (e) {
          await fs.rm(f.partial, { force: true });
          await fs.rm(`${f.partial}.json`, { force: true });
          throw e instanceof GgufError ? ggufErrorToApp(f.path, e) : e;
        }
        await fd.markVerified();
        jf.state = 'done';
        doneBytes += f.sizeBytes;
        job.receivedBytes = doneBytes;
        if (f !== j.files.at(-1)) await this.setState(j, 'downloading');
      }
      // Every file verified: move them all in.
      await this.setState(j, 'verifying');
      for (const f of j.files) {
        if (await this.installed(f)) continue;
        await checkStoredPlacement(job.repo, f.path, f);
        await fs.mkdir(path.dirname(f.target), { recursive: true });
        await fs.rename(f.partial, f.target);
        await fs.rm(`${f.partial}.json`, { force: true });
        await removeStaleTemps(`${f.partial}.json`);
      }
      await pruneEmptyDirs(path.dirname(j.files[0]!.partial), path.join(await this.d.modelsDir(), INCOMPLETE_DIR));
      await this.d.onInstalled({ path: job.targetPath, files: j.files.map((f) => ({ path: f.target, sha256: f.sha256 })), hub: job.hub, repo: job.repo, catalogId: job.catalogId });
      job.receivedBytes = job.totalBytes;
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

  private updateSpeed(j: Job) {
    const now = Date.now();
    j.samples.push({ t: now, bytes: j.job.receivedBytes });
    while (j.samples.length > 2 && now - j.samples[1]!.t > 5000) j.samples.shift();
    const first = j.samples[0]!;
    const dt = (now - first.t) / 1000;
    if (dt >= 0.5) {
      const speed = Math.max(0, (j.job.receivedBytes - first.bytes) / dt);
      j.job.bytesPerSecond = Math.round(speed);
      j.job.etaSeconds = speed > 0 ? Math.ceil((j.job.totalBytes - j.job.receivedBytes) / speed) : null;
    }
    if (j.samples.length > 2000) j.samples.splice(1, 1000);
  }

  private async checkDisk(j: Job) {
    const dir = path.join(await this.d.modelsDir(), INCOMPLETE_DIR);
    await fs.mkdir(dir, { recursive: true });
    const free = await (this.d.io?.statfsFree ?? statfsFree)(dir);
    if (free === null) return;
    let needed = 0;
    for (const f of j.files) {
      if (await this.installed(f)) continue;
      const sc = await readSidecar(`${f.partial}.json`, { sha256: f.sha256, size: f.sizeBytes });
      needed += f.sizeBytes - (sc ? bytesDone(segmentsOf(f.sizeBytes, sc.segmentBytes, sc)) : 0);
    }
    const reserve = this.d.diskReserveBytes ?? 256 * 1024 * 1024;
    if (needed + reserve > free) throw new AppError('DOWNLOAD_DISK_FULL', { path: dir, needed: formatBytes(needed + reserve), free: formatBytes(free) });
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Removes empty folders from `dir` up to (not including) `stop`. */
export async function pruneEmptyDirs(dir: string, stop: string): Promise<void> {
  let d = path.resolve(dir);
  const s = path.resolve(stop);
  while (d.startsWith(s + path.sep)) {
    try {
      await fs.rmdir(d);
    } catch {
      return;
    }
    d = path.dirname(d);
  }
}

export type { Resolved };
