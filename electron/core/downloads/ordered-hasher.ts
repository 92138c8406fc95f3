/**
 * SHA-256 of a file whose bytes arrive out of order (parallel Range segments), in one pass.
 *
 * SHA-256 is sequential, so bytes must be fed in file order. Segments are handed out in order, so at any moment one
 * segment holds the hash position (the "head"): its bytes go to the hash the moment they are written. Bytes of later
 * segments wait in memory until the head reaches them; that buffer is bounded by `windowBytes` — when it is full,
 * workers of later segments stop reading (TCP backpressure) until the head catches up, while the head's worker never
 * waits for it, so the download cannot deadlock. Nothing written in this run is ever read back from disk. The hash
 * itself runs in a HashSink (a worker thread); every worker, the head's included, waits while the sink's own backlog
 * is over `sinkMaxBytes` — the sink drains by itself, so that wait always ends.
 *
 * Bytes already on disk when a run starts (resume after a crash or kill) are "disk ranges": node:crypto's hash state
 * cannot be saved, so a cold resume reads those bytes once as the hash passes them; a warm resume (pause and resume
 * in the same process) keeps the sink with its hash and reads only what was buffered at the pause.
 */
import { createHashSink, type HashSink } from './hash-sink';

export interface WarmHash {
  sink: HashSink;
  /** Bytes fed to the sink. */
  pos: number;
}

const DISK_CHUNK = 8 << 20;

export class OrderedHasher {
  private readonly sink: HashSink;
  /** Bytes fed to the hash so far (the head). */
  pos: number;
  private readonly pending = new Map<number, Uint8Array>();
  private pendingBytes = 0;
  /** Sorted, non-overlapping [start, end) ranges on disk that will not arrive live. */
  private disk: [number, number][] = [];
  private pumping: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private failed: unknown = null;
  private handedOver = false;
  /** Bytes read back from disk (resume only), for tests and the bench. */
  diskBytesRead = 0;

  constructor(
    readonly size: number,
    private readonly windowBytes: number,
    private readonly readDisk: (pos: number, len: number) => Promise<Uint8Array>,
    warm?: WarmHash | null,
    sink?: HashSink,
    private readonly sinkMaxBytes = 64 << 20,
  ) {
    this.sink = warm?.sink ?? sink ?? createHashSink(undefined, false);
    this.pos = warm?.pos ?? 0;
  }

  /** Declares bytes [start, end) as present on disk (from an earlier run). Call before any push. */
  addDiskRange(start: number, end: number): void {
    const a = Math.max(start, this.pos);
    if (end <= a) return;
    this.disk.push([a, end]);
    this.disk.sort((x, y) => x[0] - y[0]);
  }

  /** A live chunk that has been written to disk at `offset`. The hash may take its buffer. */
  push(offset: number, chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (offset < this.pos) throw new Error(`internal: chunk at ${offset} is behind the hash position ${this.pos}`);
    if (offset === this.pos && !this.pumping && !this.onDisk(this.pos)) {
      this.feed(chunk);
      if (this.pending.size > 0 || this.disk.length > 0) this.kick();
      else this.wake();
      return;
    }
    this.pending.set(offset, chunk);
    this.pendingBytes += chunk.length;
    this.kick();
  }

  /** Whether a worker of the segment [segStart, segEnd) should hold off reading. */
  shouldWait(segStart: number, segEnd: number): boolean {
    if (this.sink.backlog >= this.sinkMaxBytes) return true;
    const isHead = this.pos >= segStart && this.pos < segEnd;
    return !isHead && this.pendingBytes >= this.windowBytes;
  }

  /** Resolves when the buffer or the sink has room again, or the head moved (check shouldWait again after). */
  waitForRoom(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((r) => {
      this.waiters.push(r);
      // Only when the sink is the reason: an idle sink answers at once, and waking a worker that waits for the
      // window would spin it through the microtask queue without ever letting the network in.
      if (this.sink.backlog >= this.sinkMaxBytes) this.sink.onDrain(() => this.wake());
    });
  }

  /** Resolves when everything pushed or declared so far has been fed to the hash. */
  async settle(): Promise<void> {
    while (this.pumping) await this.pumping;
    if (this.failed) throw this.failed;
  }

  get buffered(): number {
    return this.pendingBytes;
  }

  /** The state to keep across a pause in this process; buffered chunks are dropped (they are on disk). */
  warm(): WarmHash {
    this.handedOver = true;
    return { sink: this.sink, pos: this.pos };
  }

  async digest(): Promise<string> {
    await this.settle();
    if (this.pos !== this.size) throw new Error(`internal: digest at ${this.pos} of ${this.size} bytes`);
    return this.sink.digest();
  }

  /** Ends the hash thread unless it was handed over as warm state. */
  close(): void {
    if (!this.handedOver) this.sink.close();
  }

  private feed(chunk: Uint8Array) {
    this.pos += chunk.length;
    this.sink.update(chunk);
  }

  private onDisk(pos: number): boolean {
    const r = this.disk[0];
    return r !== undefined && r[0] <= pos && pos < r[1];
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = this.pump()
      .catch((e) => {
        this.failed = e;
      })
      .finally(() => {
        this.pumping = null;
        this.wake();
        // A chunk pushed while the pump was finishing would otherwise wait for the next push.
        if (!this.failed && (this.pending.has(this.pos) || this.onDisk(this.pos))) this.kick();
      });
  }

  private async pump(): Promise<void> {
    for (;;) {
      // Disk ranges that the head has passed are dropped.
      while (this.disk.length && this.disk[0]![1] <= this.pos) this.disk.shift();
      const live = this.pending.get(this.pos);
      if (live) {
        this.pending.delete(this.pos);
        this.pendingBytes -= live.length;
        this.feed(live);
        this.wake();
        continue;
      }
      const r = this.disk[0];
      if (r && r[0] <= this.pos) {
        // Reading back an earlier run's bytes: keep the sink's backlog bounded too.
        if (this.sink.backlog >= this.sinkMaxBytes) await new Promise<void>((res) => this.sink.onDrain(res));
        const len = Math.min(DISK_CHUNK, r[1] - this.pos);
        const buf = await this.readDisk(this.pos, len);
        if (buf.length !== len) throw new Error(`short read of the partial file at ${this.pos}`);
        this.diskBytesRead += len;
        this.feed(buf);
        this.wake();
        continue;
      }
      return;
    }
  }
}
