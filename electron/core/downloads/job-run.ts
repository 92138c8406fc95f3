/**
 * Running one download job: room on the disk, then each file through FileDownload (resuming from its sidecar) and the
 * injected file check (the GGUF header), and only when every file is verified, all of them moved into the models
 * folder together and recorded in the library. Progress (bytes, speed, ETA) goes onto the job as it runs.
 * The queue, the job states and what a pause, cancel or failure means are the manager's (manager.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import type { DownloadJob, EndpointInfo, ModelFormat } from '../../shared/models';
import { FileDownload, type FileDownloadIo } from './downloader';
import type { HubHttp } from './hubs';
import { bytesOnDisk, moveIn, pruneIncomplete, removePartial, sidecarOf } from './job-files';
import type { FileSpec, StoredJob } from './job-store';
import type { WarmHash } from './ordered-hasher';
import { statfsFree } from './partial-file';
import { installSnapshot } from './snapshot-install';
import { checkStoredPlacement, INCOMPLETE_DIR } from './placement';
import type { Candidate } from './resolve';
import { sourcesForFile } from './sources';
import { recordSample, speedAndEta, type SpeedSample } from './speed';
import type { DownloadTuning } from './tuning';

/** A job as the manager holds it: what is stored, plus the run in progress and what it keeps between runs. */
export interface Job extends StoredJob {
  candidates: Candidate[];
  run: { controller: AbortController; done: Promise<void> } | null;
  /** Hashes kept from a pause in this process, per file. */
  warm: Map<string, WarmHash>;
  samples: SpeedSample[];
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

export interface RunDeps {
  modelsDir: () => Promise<string>;
  connections: () => Promise<number>;
  http: HubHttp;
  tuning?: Partial<DownloadTuning>;
  io?: Partial<FileDownloadIo>;
  onInstalled: (rec: InstalledRecord) => Promise<void>;
  /**
   * Checks a file whose SHA-256 matched before it moves in (the GGUF header reads); throws the AppError the download
   * fails with (MODEL_NOT_GGUF …). `name` is its path in the repo, for the message.
   */
  validateFile: (file: string, name: string, format: ModelFormat) => Promise<void>;
  /** Free bytes kept on the disk besides the download. */
  diskReserveBytes?: number;
}

/** What a run asks of the manager. */
export interface RunHost {
  setState(j: Job, state: 'downloading' | 'verifying'): Promise<void>;
  /** Progress changed (throttled by the manager). */
  emitSoon(j: Job): void;
  /** True when the file is in the models folder and the library as verified with its SHA-256. */
  installed(f: FileSpec): Promise<boolean>;
  log(m: string): void;
}

/** Downloads, checks and installs the files of `j`; throws on failure, and with `signal`'s reason when aborted. */
export async function runJobFiles(j: Job, signal: AbortSignal, d: RunDeps, host: RunHost): Promise<void> {
  const { job } = j;
  const tuning: Partial<DownloadTuning> = { connections: await d.connections(), ...d.tuning };
  await host.setState(j, 'downloading');
  j.samples = [{ t: Date.now(), bytes: job.receivedBytes }];
  await checkDisk(j, d, host);
  let doneBytes = 0;
  for (const f of j.files) {
    const jf = job.files.find((x) => x.path === f.path)!;
    if (await host.installed(f)) {
      jf.state = 'done';
      jf.receivedBytes = f.sizeBytes;
      doneBytes += f.sizeBytes;
      continue;
    }
    jf.state = 'downloading';
    // Again at write time: the job may come from downloads.json, and folders may have changed since it was planned.
    await checkStoredPlacement(job.repo, f.path, f);
    const fd = new FileDownload(
      {
        label: f.path,
        size: f.sizeBytes,
        sha256: f.sha256,
        partialPath: f.partial,
        sidecarPath: sidecarOf(f),
        note: `${job.hub}:${job.repo}`,
      },
      tuning,
      { fetch: d.http.fetch, log: (m) => host.log(m), ...d.io },
      sourcesForFile(j.candidates, j.files.indexOf(f), f, d.http, host.log, (s) => {
        job.endpoint = s.endpoint as EndpointInfo;
        host.log(`${f.path}: continuing from ${s.endpoint.id} (${s.endpoint.url})`);
        host.emitSoon(j);
      }),
      {
        signal,
        warm: j.warm.get(f.path) ?? null,
        onProgress: (n) => {
          jf.receivedBytes = n;
          job.receivedBytes = doneBytes + n;
          updateSpeed(job, j.samples);
          host.emitSoon(j);
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
    await host.setState(j, 'verifying');
    try {
      await d.validateFile(f.partial, f.path, job.format ?? 'gguf');
    } catch (e) {
      await removePartial(f);
      throw e;
    }
    await fd.markVerified();
    jf.state = 'done';
    doneBytes += f.sizeBytes;
    job.receivedBytes = doneBytes;
    if (f !== j.files.at(-1)) await host.setState(j, 'downloading');
  }
  // Every file verified: move them all in.
  await host.setState(j, 'verifying');
  if (job.format === 'safetensors')
    await installSnapshot(job.repo, j.files, job.targetPath, await d.modelsDir(), (f) => host.installed(f));
  else for (const f of j.files) if (!(await host.installed(f))) await moveIn(job.repo, f);
  await pruneIncomplete(j.files, await d.modelsDir());
  await d.onInstalled({
    path: job.targetPath,
    files: j.files.map((f) => ({ path: f.target, sha256: f.sha256 })),
    hub: job.hub,
    repo: job.repo,
    catalogId: job.catalogId,
  });
  job.receivedBytes = job.totalBytes;
}

function updateSpeed(job: DownloadJob, samples: SpeedSample[]) {
  recordSample(samples, { t: Date.now(), bytes: job.receivedBytes });
  const s = speedAndEta(samples, job.totalBytes);
  if (s) Object.assign(job, s);
}

/** Fails with DOWNLOAD_DISK_FULL up front when what is left to fetch (plus a reserve) does not fit. */
async function checkDisk(j: Job, d: RunDeps, host: RunHost) {
  const dir = path.join(await d.modelsDir(), INCOMPLETE_DIR);
  await fs.mkdir(dir, { recursive: true });
  const free = await (d.io?.statfsFree ?? statfsFree)(dir);
  if (free === null) return;
  let needed = 0;
  for (const f of j.files) if (!(await host.installed(f))) needed += f.sizeBytes - (await bytesOnDisk(f));
  const reserve = d.diskReserveBytes ?? 256 * 1024 * 1024;
  if (needed + reserve > free)
    throw new AppError('DOWNLOAD_DISK_FULL', {
      path: dir,
      needed: formatBytes(needed + reserve),
      free: formatBytes(free),
    });
}
