/**
 * Downloads one file with parallel HTTP Range segments into `<name>.partial`, hashing it on the way (see
 * ordered-hasher.ts), and resumes from the JSON sidecar after a pause, a lost network or a killed app. Connections
 * open one at a time while each is slow (see `enoughPerConnection`), so a fast link is not split for nothing.
 *
 * Per segment: a response silent for `stallMs` is aborted and retried at once without using up a retry (five
 * silent ones in a row count as one failure, so a dead mirror is still left); other failures back off
 * exponentially; 429 (and 503 with Retry-After) waits as told; 404 / auth / wrong size condemn the source; after
 * `failoverAfter` failures in a row the next endpoint with the same SHA-256 takes over; ENOSPC stops at once.
 * Bytes are counted as done only once written, so the sidecar never claims bytes that are not in the file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { openRegularFile } from '../util/regular-file';
import { hubStatusError, type Fetch } from './hubs';
import { createHashSink } from './hash-sink';
import { OrderedHasher, type WarmHash } from './ordered-hasher';
import { backoffMs, formatBytes, parseContentRange, parseRetryAfter } from './retry';
import { bytesDone, compact, readSidecar, SIDECAR_VERSION, segmentsOf, writeSidecar, type Segment, type SidecarState } from './sidecar';
import type { DownloadSource, SourcePool } from './sources';

export interface DownloadTuning {
  /** The most connections (segments fetched at once). */
  connections: number;
  /**
   * Connections open one at a time, every `rampEveryMs`, while each brings less than this (bytes/s): a link where one
   * connection is already this fast (a LAN mirror, loopback) gains nothing from more, which would only compete for the
   * CPU and leave more bytes in flight (lost to a kill). null opens them all at once.
   */
  enoughPerConnection: number | null;
  rampEveryMs: number;
  segmentBytes: number;
  /** Bytes of later segments held in memory for the hash; null = (connections − 1) × segmentBytes. */
  windowBytes: number | null;
  stallMs: number;
  /** Failures in a row (without progress) per segment before the download fails. */
  maxRetries: number;
  /** Failures in a row before moving to the next endpoint. */
  failoverAfter: number;
  maxStalls: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  checkpointMs: number;
  /** Write the sidecar after this many new bytes; null = min(2 MiB, segmentBytes / 8). */
  checkpointBytes: number | null;
}

export const DEFAULT_TUNING: DownloadTuning = {
  connections: 4,
  enoughPerConnection: 200e6,
  rampEveryMs: 1000,
  segmentBytes: 32 << 20,
  windowBytes: null,
  stallMs: 30_000,
  maxRetries: 8,
  failoverAfter: 3,
  maxStalls: 5,
  backoffBaseMs: 1000,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
  checkpointMs: 1000,
  checkpointBytes: null,
};

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

/** The file operations the downloader needs (tests replace them to fail with ENOSPC). */
export interface PartialFile {
  write(buf: Uint8Array, position: number): Promise<void>;
  read(position: number, length: number): Promise<Uint8Array>;
  datasync(): Promise<void>;
  close(): Promise<void>;
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

const BLOCK_BYTES = 1 << 20;
const SYNC_EVERY_BYTES = 64 << 20;
const MAX_WRITES_IN_FLIGHT = 2;

class Stall extends Error {}
class Retryable extends Error {}
class SourceFatal extends Error {
  constructor(readonly err: AppError) {
    super(err.message);
  }
}
class RateLimited extends Error {
  constructor(readonly waitMs: number | null) {
    super('rate limited');
  }
}
class Fatal extends Error {
  constructor(readonly err: AppError) {
    super(err.message);
  }
}

export async function openPartialFile(file: string): Promise<PartialFile> {
  // Its name came from a hub: a link or a pipe put in its place is refused, not followed or waited on.
  const fh = await openRegularFile(file, { mode: 'r+', noFollow: true });
  return {
    async write(buf, position) {
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
        if (bytesWritten <= 0) throw Object.assign(new Error('write returned 0 bytes'), { code: 'EIO' });
        off += bytesWritten;
      }
    },
    async read(position, length) {
      const buf = Buffer.allocUnsafe(length);
      let off = 0;
      while (off < length) {
        const { bytesRead } = await fh.read(buf, off, length - off, position + off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    },
    datasync: () => fh.datasync(),
    close: () => fh.close(),
  };
}

export async function statfsFree(dir: string): Promise<number | null> {
  try {
    const s = await fs.statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

const abortable = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', on);
      resolve();
    }, ms);
    const on = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', on, { once: true });
  });

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause?.code ?? err?.cause?.message;
  return cause ? `${err.message ?? e} (${cause})` : String(err?.message ?? e);
}

export class FileDownload {
  received = 0;
  fetchedBytes = 0;
  /** Set after an abort (pause): the hash to continue with in this process. */
  warm: WarmHash | null = null;
  private segments: Segment[] = [];
  private state!: SidecarState;
  private file: PartialFile | null = null;
  private hasher: OrderedHasher | null = null;
  private next = 0;
  private fatal: AppError | null = null;
  private readonly stop = new AbortController();
  private lastCheckpointBytes = 0;
  private lastCheckpointAt = 0;
  private checkpointing: Promise<void> | null = null;
  private checkpointAgain = false;
  private readonly t: DownloadTuning;
  private readonly blocks: Buffer[] = [];
  private unsynced = 0;
  private discarded = false;
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

  /** Loads the sidecar, or starts a fresh partial file. */
  private async prepare(): Promise<boolean> {
    const { spec } = this;
    const saved = await readSidecar(spec.sidecarPath, spec);
    const st = await fs.stat(spec.partialPath).catch(() => null);
    if (saved && st?.isFile() && st.size === spec.size) {
      this.state = saved;
      if (saved.verified) return true;
      this.log(`resuming: ${formatBytes(bytesDone(segmentsOf(spec.size, saved.segmentBytes, saved)))} already on disk`);
    } else {
      // Starting over: a hash kept from before covers bytes that are gone.
      this.dropWarm();
      await fs.mkdir(path.dirname(spec.partialPath), { recursive: true });
      const fh = await openRegularFile(spec.partialPath, { mode: 'create', noFollow: true });
      try {
        // Emptied, then sparse: the size is right from the start, the disk fills as bytes arrive.
        await fh.truncate(0);
        await fh.truncate(spec.size);
      } finally {
        await fh.close();
      }
      this.state = { version: SIDECAR_VERSION, sha256: spec.sha256.toLowerCase(), size: spec.size, segmentBytes: this.t.segmentBytes, doneBelow: 0, partial: {}, verified: false, source: spec.note, updatedAt: Date.now() };
      await writeSidecar(spec.sidecarPath, this.state, true);
    }
    this.segments = segmentsOf(spec.size, this.state.segmentBytes, this.state);
    this.received = bytesDone(this.segments);
    return false;
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
    let prefix = 0;
    for (const s of this.segments) {
      prefix = s.start + s.done;
      if (s.done < s.end - s.start) break;
    }
    if (this.opts.warm && this.opts.warm.pos > prefix) this.dropWarm();
    const warm = this.opts.warm ?? null;
    const segBytes = this.state.segmentBytes;
    const window = this.t.windowBytes ?? Math.max(segBytes, (this.t.connections - 1) * segBytes);
    // Full blocks come back from the hash thread once hashed: far fewer 1 MiB allocations, far less GC.
    const recycle = (b: Buffer) => {
      if (b.byteLength === BLOCK_BYTES && this.blocks.length < 32) this.blocks.push(b);
    };
    const hasher = new OrderedHasher(spec.size, window, (pos, len) => file.read(pos, len), warm, warm ? undefined : createHashSink(recycle, this.io.hashInWorker ?? true));
    this.hasher = hasher;
    for (const s of this.segments) if (s.done > 0) hasher.addDiskRange(s.start, s.start + s.done);
    this.lastCheckpointBytes = this.received;
    this.lastCheckpointAt = Date.now();
    const timer = setInterval(() => void this.checkpoint(false), this.t.checkpointMs);
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
        this.discarded = true;
        await this.checkpointing?.catch(() => undefined);
        await file.close().catch(() => undefined);
        this.file = null;
        // Which bytes are wrong cannot be known: the partial file is worthless.
        await fs.rm(spec.partialPath, { force: true });
        await fs.rm(spec.sidecarPath, { force: true });
        throw new AppError('DOWNLOAD_HASH_MISMATCH', { file: spec.label, expected: spec.sha256, actual: digest });
      }
      await this.syncing;
      await file.datasync();
      return { sha256: digest, alreadyVerified: false, fetchedBytes: this.fetchedBytes, diskBytesRead: hasher.diskBytesRead };
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
        await this.checkpoint(true).catch((e) => this.log(`could not save the resume state: ${describe(e)}`));
        await this.file.close().catch(() => undefined);
        this.file = null;
      }
    }
  }

  /** Runs the segment workers: one, then one more per `rampEveryMs` while each is slower than enough. */
  private async runWorkers(): Promise<PromiseSettledResult<void>[]> {
    const todo = this.segments.filter((s) => s.done < s.end - s.start).length;
    const max = Math.max(1, Math.min(this.t.connections, todo));
    const workers: Promise<void>[] = [];
    const enough = this.t.enoughPerConnection;
    for (let i = enough === null ? max : 1; i > 0; i--) workers.push(this.worker());
    let last = this.fetchedBytes;
    let lastAt = Date.now();
    const ramp =
      workers.length < max
        ? setInterval(() => {
            const now = Date.now();
            const got = this.fetchedBytes - last;
            const perConnection = (got * 1000) / Math.max(1, now - lastAt) / workers.length;
            last = this.fetchedBytes;
            lastAt = now;
            // Nothing arrived (backing off, waiting out a 429, stalled): more connections would only add to that.
            if (got === 0 || this.stop.signal.aborted || this.next >= this.segments.length || perConnection >= enough!) return;
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
  async markVerified(): Promise<void> {
    this.state = { ...this.state, ...compact(this.segments), verified: true, updatedAt: Date.now() };
    await writeSidecar(this.spec.sidecarPath, this.state, true);
  }

  private async checkpoint(durable: boolean): Promise<void> {
    if (this.discarded) return;
    if (this.checkpointing) {
      this.checkpointAgain = true;
      await this.checkpointing;
      if (!durable && !this.checkpointAgain) return;
    }
    this.checkpointAgain = false;
    if (this.discarded) return;
    this.lastCheckpointBytes = this.received;
    this.lastCheckpointAt = Date.now();
    this.state = { ...this.state, ...compact(this.segments), updatedAt: Date.now() };
    const p = writeSidecar(this.spec.sidecarPath, this.state, durable);
    this.checkpointing = p.finally(() => {
      this.checkpointing = null;
    });
    await this.checkpointing;
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
    // What a kill can lose is what arrived since the last checkpoint: keep it well under a segment.
    const every = this.t.checkpointBytes ?? Math.max(256 * 1024, Math.min(2 << 20, Math.floor(this.state.segmentBytes / 8)));
    if (this.received - this.lastCheckpointBytes >= every && !this.checkpointing) void this.checkpoint(false).catch(() => undefined);
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
        await this.segment(seg);
      } catch (e) {
        if (this.stop.signal.aborted) return;
        this.fatal ??= e instanceof AppError ? e : new AppError('DOWNLOAD_FAILED', { file: this.spec.label, reason: describe(e) }, String((e as Error)?.stack ?? e));
        this.stop.abort(this.fatal);
        return;
      }
    }
  }

  private async segment(seg: Segment): Promise<void> {
    let failures = 0;
    let stalls = 0;
    let limited = 0;
    let lastReason = '';
    const len = seg.end - seg.start;
    while (seg.done < len) {
      if (this.stop.signal.aborted) throw this.stop.signal.reason;
      const src = this.sources.current();
      if (!src) throw this.sources.failures.at(-1)?.error ?? new AppError('DOWNLOAD_FAILED', { file: this.spec.label, reason: lastReason || 'no endpoint left' });
      const before = seg.done;
      try {
        await this.fetchRange(seg, src);
        if (seg.done > before) {
          failures = 0;
          stalls = 0;
          limited = 0;
          continue;
        }
        throw new Retryable('empty response');
      } catch (e) {
        if (this.stop.signal.aborted) throw this.stop.signal.reason;
        if (e instanceof Fatal) throw e.err;
        if (seg.done > before) {
          failures = 0;
          stalls = 0;
          limited = 0;
        }
        if (e instanceof SourceFatal) {
          this.log(`${src.endpoint.id} cannot serve this file: ${e.err.message}`);
          const next = await this.sources.switchFrom(src, e.err.message, e.err, true);
          if (!next) throw e.err;
          failures = 0;
          continue;
        }
        if (e instanceof Stall) {
          stalls++;
          this.log(`segment ${seg.index}: no bytes for ${this.t.stallMs} ms, retrying`);
          if (stalls < this.t.maxStalls) continue;
          stalls = 0;
          lastReason = `no data for ${Math.round(this.t.stallMs / 1000)} s`;
        } else if (e instanceof RateLimited) {
          limited++;
          if (limited <= 20) {
            const wait = Math.min(this.t.maxRetryAfterMs, e.waitMs ?? backoffMs(limited - 1, this.t.backoffBaseMs, this.t.backoffMaxMs, this.io.random));
            this.log(`segment ${seg.index}: ${src.endpoint.id} asks to wait ${Math.round(wait)} ms`);
            await abortable(wait, this.stop.signal);
            continue;
          }
          lastReason = 'too many requests';
        } else lastReason = describe(e);
        failures++;
        this.log(`segment ${seg.index}: attempt ${failures} failed (${lastReason})`);
        if (failures % this.t.failoverAfter === 0) {
          const next = await this.sources.switchFrom(src, lastReason);
          if (next !== src) {
            this.log(`switching to ${next?.endpoint.id ?? 'nothing'}`);
            failures = 0;
            continue;
          }
        }
        if (failures > this.t.maxRetries) {
          if (limited > 20) throw new AppError('HUB_RATE_LIMITED', { endpoint: src.endpoint.url });
          throw new AppError('DOWNLOAD_FAILED', { file: this.spec.label, reason: lastReason });
        }
        await abortable(backoffMs(failures - 1, this.t.backoffBaseMs, this.t.backoffMaxMs, this.io.random), this.stop.signal);
      }
    }
  }

  /** One request for the rest of a segment; returns when the body ends (possibly short of the segment's end). */
  private async fetchRange(seg: Segment, src: DownloadSource): Promise<void> {
    const from = seg.start + seg.done;
    const to = seg.end - 1;
    const ac = new AbortController();
    const onStop = () => ac.abort(this.stop.signal.reason);
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    let stallTimer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => ac.abort(new Stall('stalled')), this.t.stallMs);
    };
    const disarm = () => clearTimeout(stallTimer);
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    let finished = false;
    let pos = from;
    try {
      arm();
      let res: Response;
      try {
        res = await this.io.fetch(src.url, {
          headers: { range: `bytes=${from}-${to}`, 'accept-encoding': 'identity', 'user-agent': this.io.userAgent ?? 'DeepLocal/0.1' },
          signal: ac.signal,
          redirect: 'follow',
        });
      } catch (e) {
        throw ac.signal.reason instanceof Stall ? ac.signal.reason : e;
      }
      let limit = to;
      if (res.status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        if (!cr || cr.start !== from) throw new Retryable(`unexpected Content-Range ${res.headers.get('content-range')}`);
        if (cr.total !== null && cr.total !== this.spec.size) throw new SourceFatal(new AppError('DOWNLOAD_SIZE_MISMATCH', { file: this.spec.label, expected: this.spec.size, actual: cr.total }));
        limit = Math.min(cr.end, to);
      } else if (res.status === 200) {
        const cl = res.headers.get('content-length');
        if (cl !== null && Number(cl) !== this.spec.size) throw new SourceFatal(new AppError('DOWNLOAD_SIZE_MISMATCH', { file: this.spec.label, expected: this.spec.size, actual: Number(cl) }));
        // A server that ignores Range can still serve the first segment.
        if (from !== 0) throw new SourceFatal(new AppError('DOWNLOAD_FAILED', { file: this.spec.label, reason: `${src.endpoint.url} does not support HTTP Range` }));
      } else {
        await res.body?.cancel().catch(() => undefined);
        if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) throw new RateLimited(parseRetryAfter(res.headers.get('retry-after')));
        if (res.status === 416) throw new SourceFatal(new AppError('DOWNLOAD_SIZE_MISMATCH', { file: this.spec.label, expected: this.spec.size, actual: res.headers.get('content-range') ?? '?' }));
        const err = hubStatusError(res.status, res.headers, { endpoint: src.endpoint.url, repo: this.spec.note ?? '', file: this.spec.label });
        if (err && res.status !== 408) throw new SourceFatal(err);
        throw new Retryable(`HTTP ${res.status}`);
      }
      if (!res.body) throw new Retryable('no body');
      reader = res.body.getReader();
      const hasher = this.hasher!;
      // Network chunks are small (tens of KiB): they are copied into 1 MiB blocks, and blocks are written without
      // waiting for each write before reading on (up to 2 in flight), so the socket and the disk work at the same
      // time. Completions are handled in file order: only then are bytes hashed and counted as done.
      let block: Buffer | null = null;
      let fill = 0;
      let blockPos = from;
      let chain: Promise<void> = Promise.resolve();
      const inflight: Promise<void>[] = [];
      const flush = () => {
        if (!block || fill === 0) return;
        const data = block.subarray(0, fill);
        const at = blockPos;
        block = null;
        fill = 0;
        blockPos += data.length;
        const write = this.file!.write(data, at);
        const n = data.length;
        chain = Promise.all([chain, write]).then(
          () => {
            // The hash thread takes the buffer (transfer): `data` is empty after this line.
            hasher.push(at, data);
            this.syncSoon(n);
            seg.done += n;
            this.received += n;
            this.opts.onProgress?.(this.received);
            this.maybeCheckpoint();
          },
          async (e) => {
            throw e instanceof Fatal || !(e as NodeJS.ErrnoException)?.code ? e : new Fatal(await this.writeError(e));
          },
        );
        // Marks the rejection as handled; whoever drains it still sees it.
        chain.catch(() => undefined);
        inflight.push(chain);
      };
      const drain = async (max: number) => {
        while (inflight.length > max) await inflight.shift();
      };
      try {
        while (pos <= limit) {
          while (hasher.shouldWait(seg.start, seg.end)) {
            // Waiting for the hash to catch up is not a stall.
            disarm();
            flush();
            await drain(0);
            await Promise.race([hasher.waitForRoom(), new Promise((_, rej) => (ac.signal.aborted ? rej(ac.signal.reason) : ac.signal.addEventListener('abort', () => rej(ac.signal.reason), { once: true })))]);
            arm();
          }
          let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>;
          try {
            r = await reader.read();
          } catch (e) {
            throw ac.signal.reason instanceof Stall ? ac.signal.reason : e;
          }
          if (r.done) {
            finished = true;
            break;
          }
          arm();
          let chunk = r.value;
          if (pos + chunk.length > limit + 1) chunk = chunk.subarray(0, limit + 1 - pos);
          this.fetchedBytes += chunk.length;
          for (let off = 0; off < chunk.length; ) {
            if (!block) {
              const want = Math.min(BLOCK_BYTES, limit + 1 - blockPos);
              block = (want === BLOCK_BYTES ? this.blocks.pop() : undefined) ?? Buffer.allocUnsafe(want);
            }
            const n = Math.min(chunk.length - off, block.length - fill);
            block.set(chunk.subarray(off, off + n), fill);
            fill += n;
            off += n;
            if (fill === block.length) {
              flush();
              await drain(MAX_WRITES_IN_FLIGHT - 1);
            }
          }
          pos += chunk.length;
        }
        flush();
        await drain(0);
      } catch (e) {
        // Bytes that arrived before a drop or a stall are good: keep them.
        if (!(e instanceof Fatal)) {
          flush();
          // A failed write (ENOSPC) outranks the network error that ended the response.
          await drain(0);
        }
        throw e;
      }
      if (!finished && pos > limit) {
        // Read the end of a complete body so the connection can be reused for the next segment.
        const r = await reader.read().catch(() => null);
        if (r?.done) finished = true;
      }
    } finally {
      disarm();
      this.stop.signal.removeEventListener('abort', onStop);
      if (reader && !finished) {
        // Frees the connection; a stalled or surplus body is abandoned.
        ac.abort(new Error('done'));
        await reader.cancel().catch(() => undefined);
      }
    }
  }

  private async writeError(e: unknown): Promise<AppError> {
    const code = (e as NodeJS.ErrnoException)?.code;
    const dir = path.dirname(this.spec.partialPath);
    // (DISK_FULL: the sidecar's atomic write already said so.)
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'DISK_FULL') {
      const free = await (this.io.statfsFree ?? statfsFree)(dir);
      return new AppError('DOWNLOAD_DISK_FULL', { path: dir, needed: formatBytes(this.spec.size - this.received), free: free === null ? '?' : formatBytes(free) }, describe(e));
    }
    return new AppError('DOWNLOAD_FAILED', { file: this.spec.label, reason: `cannot write ${this.spec.partialPath}: ${describe(e)}` }, String((e as Error)?.stack ?? e));
  }
}
