/**
 * Downloads one file with parallel HTTP Range segments into `<name>.partial`, hashing it on the way (see
 * ordered-hasher.ts), and resumes from the JSON sidecar after a pause, a lost network or a killed app.
 *
 * This file runs things: the segment workers, the connection ramp's timer, checkpoints and syncs. The decisions live
 * apart and are table-tested: what a reply means (range-response.ts), what follows a failure (retry.ts), when to open
 * another connection (ramp.ts), what an error means to the user (download-errors.ts). One request and its body are
 * range-fetch.ts; one segment's retries are fetch-segment.ts. ENOSPC stops everything at once.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { asDownloadFailure, describe, isDiskFull, writeFailure } from './download-errors';
import { fetchSegment } from './fetch-segment';
import { createHashSink } from './hash-sink';
import type { Fetch } from './hubs';
import { OrderedHasher, type WarmHash } from './ordered-hasher';
import { createPartialFile, openPartialFile, statfsFree, type PartialFile } from './partial-file';
import { connectionLimit, initialConnections, rampStep } from './ramp';
import { BLOCK_BYTES, type RangeFetchContext } from './range-fetch';
import {
  bytesDone,
  contiguousDone,
  readSidecar,
  SIDECAR_VERSION,
  SidecarWriter,
  segmentsOf,
  writeSidecar,
  type Segment,
} from './sidecar';
import type { SourcePool } from './sources';
import { checkpointEveryBytes, DEFAULT_TUNING, hashWindowBytes, type DownloadTuning } from './tuning';

export interface FileDownloadSpec {
  /** The file's path in the repo (for messages). */
  label: string;
  size: number;
  sha256: string;
  partialPath: string;
  sidecarPath: string;
  /** Written into the sidecar for people reading the folder. */
  note?: string;
}

export interface FileDownloadIo {
  fetch: Fetch;
  openPartial?: (file: string) => Promise<PartialFile>;
  statfsFree?: (dir: string) => Promise<number | null>;
  log?: (msg: string) => void;
  random?: () => number;
  userAgent?: string;
  /** Hash on a worker thread (default); false hashes on the calling thread. */
  hashInWorker?: boolean;
}

export interface FileDownloadOptions {
  signal: AbortSignal;
  /** Bytes on disk so far (called often; throttle downstream). */
  onProgress?: (received: number) => void;
  /** A hash kept from a pause in this process. */
  warm?: WarmHash | null;
}

export interface FileDownloadResult {
  sha256: string;
  /** True when the sidecar already said verified (nothing was fetched or hashed). */
  alreadyVerified: boolean;
  /** Bytes received over the network in this run. */
  fetchedBytes: number;
  /** Bytes read back for hashing (only what an earlier run left on disk). */
  diskBytesRead: number;
}

const SYNC_EVERY_BYTES = 64 << 20;

export class FileDownload {
  received = 0;
  fetchedBytes = 0;
  /** Set after an abort (pause): the hash to continue with in this process. */
  warm: WarmHash | null = null;
  private segments: Segment[] = [];
  private file: PartialFile | null = null;
  private hasher: OrderedHasher | null = null;
  private next = 0;
  private fatal: AppError | null = null;
  private readonly stop = new AbortController();
  private sidecar!: SidecarWriter;
  private segmentBytes = 0;
  private readonly t: DownloadTuning;
  private readonly blocks: Buffer[] = [];
  private unsynced = 0;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly spec: FileDownloadSpec,
    tuning: Partial<DownloadTuning>,
    private readonly io: FileDownloadIo,
    private readonly sources: SourcePool,
    private readonly opts: FileDownloadOptions,
  ) {
    this.t = { ...DEFAULT_TUNING, ...tuning };
    const onAbort = () => this.stop.abort(opts.signal.reason);
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }

  private log(m: string) {
    this.io.log?.(`${this.spec.label}: ${m}`);
  }

  /** Loads the sidecar, or starts a fresh partial file; true when the sidecar says the file is verified already. */
  private async prepare(): Promise<boolean> {
    const { spec } = this;
    let state = await readSidecar(spec.sidecarPath, spec);
    const st = await fs.stat(spec.partialPath).catch(() => null);
    if (state && st?.isFile() && st.size === spec.size) {
      if (!state.verified)
        this.log(
          `resuming: ${formatBytes(bytesDone(segmentsOf(spec.size, state.segmentBytes, state)))} already on disk`,
        );
    } else {
      // Starting over: a hash kept from before covers bytes that are gone.
      this.dropWarm();
      await createPartialFile(spec.partialPath, spec.size);
      state = {
        version: SIDECAR_VERSION,
        sha256: spec.sha256.toLowerCase(),
        size: spec.size,
        segmentBytes: this.t.segmentBytes,
        doneBelow: 0,
        partial: {},
        verified: false,
        source: spec.note,
        updatedAt: Date.now(),
      };
      await writeSidecar(spec.sidecarPath, state, true);
    }
    if (!state.verified) this.segments = segmentsOf(spec.size, state.segmentBytes, state);
    this.segmentBytes = state.segmentBytes;
    this.received = bytesDone(this.segments);
    this.sidecar = new SidecarWriter(spec.sidecarPath, state, this.segments, () => this.received);
    return state.verified;
  }

  async run(): Promise<FileDownloadResult> {
    if (this.stop.signal.aborted) throw this.stop.signal.reason;
    let verified: boolean;
    try {
      verified = await this.prepare();
      if (!verified) this.file = await (this.io.openPartial ?? openPartialFile)(this.spec.partialPath);
    } catch (e) {
      // Creating the partial file or its sidecar on a full disk is DOWNLOAD_DISK_FULL, not an internal error.
      throw e instanceof AppError && e.code !== 'DISK_FULL' ? e : await this.writeError(e);
    }
    if (verified) {
      this.dropWarm();
      return { sha256: this.spec.sha256, alreadyVerified: true, fetchedBytes: 0, diskBytesRead: 0 };
    }
    const { spec } = this;
    const file = this.file!;
    // A warm hash is usable only if every byte it covers is on disk per the sidecar.
    if (this.opts.warm && this.opts.warm.pos > contiguousDone(this.segments)) this.dropWarm();
    const warm = this.opts.warm ?? null;
    const window = hashWindowBytes(this.t, this.segmentBytes);
    // Full blocks come back from the hash thread once hashed: far fewer 1 MiB allocations, far less GC.
    const recycle = (b: Buffer) => {
      if (b.byteLength === BLOCK_BYTES && this.blocks.length < 32) this.blocks.push(b);
    };
    const hasher = new OrderedHasher(
      spec.size,
      window,
      (pos, len) => file.read(pos, len),
      warm,
      warm ? undefined : createHashSink(recycle, this.io.hashInWorker ?? true),
    );
    this.hasher = hasher;
    for (const s of this.segments) if (s.done > 0) hasher.addDiskRange(s.start, s.start + s.done);
    // A failed routine checkpoint (full disk) is not fatal: the next one or the final durable write reports it.
    const timer = setInterval(() => void this.sidecar.write(false).catch(() => undefined), this.t.checkpointMs);
    this.opts.onProgress?.(this.received);

    try {
      const results = await this.runWorkers();
      if (this.opts.signal.aborted) throw this.opts.signal.reason;
      if (this.fatal) throw this.fatal;
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected) throw rejected.reason;
      const digest = await hasher.digest();
      if (digest !== spec.sha256.toLowerCase()) {
        clearInterval(timer);
        // No checkpoint may land after the files are gone.
        await this.sidecar.discard();
        await file.close().catch(() => undefined);
        this.file = null;
        // Which bytes are wrong cannot be known: the partial file is worthless.
        await fs.rm(spec.partialPath, { force: true });
        await fs.rm(spec.sidecarPath, { force: true });
        throw new AppError('DOWNLOAD_HASH_MISMATCH', { file: spec.label, expected: spec.sha256, actual: digest });
      }
      await this.syncing;
      await file.datasync();
      return {
        sha256: digest,
        alreadyVerified: false,
        fetchedBytes: this.fetchedBytes,
        diskBytesRead: hasher.diskBytesRead,
      };
    } catch (e) {
      if (this.opts.signal.aborted) {
        await hasher.settle().catch(() => undefined);
        this.warm = hasher.warm();
      }
      throw e;
    } finally {
      hasher.close();
      clearInterval(timer);
      if (this.file) {
        await this.syncing;
        await this.file.datasync().catch(() => undefined);
        await this.sidecar.write(true).catch((e) => this.log(`could not save the resume state: ${describe(e)}`));
        await this.file.close().catch(() => undefined);
        this.file = null;
      }
    }
  }

  /** Runs the segment workers: one, then one more per `rampEveryMs` while each is slower than enough. */
  private async runWorkers(): Promise<PromiseSettledResult<void>[]> {
    const max = connectionLimit(this.t.connections, this.segments.filter((s) => s.done < s.end - s.start).length);
    const workers: Promise<void>[] = [];
    const enough = this.t.enoughPerConnection;
    for (let i = initialConnections(max, enough); i > 0; i--) workers.push(this.worker());
    let last = this.fetchedBytes;
    let lastAt = Date.now();
    const ramp =
      enough !== null && workers.length < max
        ? setInterval(() => {
            const now = Date.now();
            const { add, perConnection } = rampStep({
              gotBytes: this.fetchedBytes - last,
              elapsedMs: now - lastAt,
              open: workers.length,
              limit: max,
              enough,
              unclaimed: this.next < this.segments.length,
            });
            last = this.fetchedBytes;
            lastAt = now;
            if (!add || this.stop.signal.aborted) return;
            workers.push(this.worker());
            this.log(`${workers.length} connections (${formatBytes(perConnection)}/s each before)`);
            if (workers.length >= max) clearInterval(ramp);
          }, this.t.rampEveryMs)
        : undefined;
    try {
      // Workers added while waiting are waited for too.
      for (;;) {
        const n = workers.length;
        const results = await Promise.allSettled(workers);
        if (workers.length === n) return results;
      }
    } finally {
      clearInterval(ramp);
    }
  }

  private dropWarm() {
    this.opts.warm?.sink.close();
    this.opts.warm = null;
    this.warm = null;
  }

  /** Marks the sidecar verified (after GGUF validation): a restart then goes straight to the move. */
  markVerified(): Promise<void> {
    return this.sidecar.markVerified();
  }

  /**
   * Flushes written bytes to the disk in the background every 64 MiB, so the fsync that must precede the move into
   * the models folder (a power cut must not leave an unwritten "verified" file there) has little left to do, instead
   * of the whole file at the end.
   */
  private syncSoon(n: number) {
    this.unsynced += n;
    if (this.unsynced < SYNC_EVERY_BYTES || this.syncing || !this.file) return;
    this.unsynced = 0;
    const file = this.file;
    this.syncing = file
      .datasync()
      .catch(() => undefined)
      .finally(() => {
        this.syncing = null;
      });
  }

  private maybeCheckpoint() {
    if (
      this.received - this.sidecar.bytesAtLastWrite >= checkpointEveryBytes(this.t, this.segmentBytes) &&
      !this.sidecar.busy
    )
      void this.sidecar.write(false).catch(() => undefined);
  }

  private async worker(): Promise<void> {
    while (!this.stop.signal.aborted) {
      // In file order, so the hash head is always being fetched (see ordered-hasher.ts).
      let seg: Segment | undefined;
      while (this.next < this.segments.length && !seg) {
        const s = this.segments[this.next++]!;
        if (s.done < s.end - s.start) seg = s;
      }
      if (!seg) return;
      try {
        await fetchSegment(seg, {
          range: this.rangeContext(),
          sources: this.sources,
          policy: this.t,
          random: this.io.random,
          log: (m) => this.log(m),
        });
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.fatal ??= asDownloadFailure(e, this.spec.label);
        this.stop.abort(this.fatal);
        return;
      }
    }
  }

  /** What one Range request needs from this download. */
  private rangeContext(): RangeFetchContext {
    return {
      fetch: this.io.fetch,
      userAgent: this.io.userAgent ?? 'DeepLocal/0.1',
      stallMs: this.t.stallMs,
      stop: this.stop.signal,
      label: this.spec.label,
      size: this.spec.size,
      note: this.spec.note,
      file: this.file!,
      hasher: this.hasher!,
      spareBlock: () => this.blocks.pop(),
      onFetched: (n) => {
        this.fetchedBytes += n;
      },
      onWritten: (n) => {
        this.syncSoon(n);
        this.received += n;
        this.opts.onProgress?.(this.received);
        this.maybeCheckpoint();
      },
      writeError: (e) => this.writeError(e),
    };
  }

  private async writeError(e: unknown): Promise<AppError> {
    const dir = path.dirname(this.spec.partialPath);
    const free = isDiskFull(e) ? await (this.io.statfsFree ?? statfsFree)(dir) : null;
    const { partialPath, label, size } = this.spec;
    return writeFailure(e, { dir, partialPath, label, remaining: size - this.received }, free);
  }
}
