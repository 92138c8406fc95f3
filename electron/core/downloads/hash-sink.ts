/**
 * Where the in-order bytes of a download are hashed. The worker sink runs node:crypto's SHA-256 on its own thread, so
 * hashing overlaps with receiving and writing instead of adding to them (on loopback it was the largest cost after
 * the network itself). Blocks are transferred, not copied, and come back for reuse once hashed. The inline sink is the
 * fallback where worker threads are unavailable, and what unit tests use.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface HashSink {
  /** Queues bytes, in file order. The sink may take the chunk's buffer (transfer): do not touch it afterwards. */
  update(chunk: Uint8Array): void;
  /** Bytes queued and not hashed yet. */
  readonly backlog: number;
  /** Calls `cb` once the backlog has shrunk (immediately if empty). */
  onDrain(cb: () => void): void;
  digest(): Promise<string>;
  close(): void;
}

export class InlineSha256 implements HashSink {
  private readonly hash: Hash = createHash('sha256');
  readonly backlog = 0;
  constructor(private readonly recycle: (buf: Buffer) => void = () => undefined) {}
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    if (Buffer.isBuffer(chunk)) this.recycle(chunk);
  }
  onDrain(cb: () => void): void {
    cb();
  }
  async digest(): Promise<string> {
    return this.hash.digest('hex');
  }
  close(): void {}
}

// CommonJS, evaluated as the worker's script: no file to ship next to the bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.t === 'u') {
    hash.update(new Uint8Array(m.b, m.o, m.n));
    parentPort.postMessage({ t: 'r', b: m.b, n: m.n }, [m.b]);
  } else if (m.t === 'd') {
    parentPort.postMessage({ t: 'd', hex: hash.digest('hex') });
  }
});
`;

export class WorkerSha256 implements HashSink {
  private readonly worker: Worker;
  private queued = 0;
  private drainers: (() => void)[] = [];
  private digestWaiter: { resolve: (h: string) => void; reject: (e: unknown) => void } | null = null;
  private failed: Error | null = null;

  constructor(private readonly recycle: (buf: Buffer) => void = () => undefined) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    // A paused download keeps its hash here; an idle worker must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (m: { t: 'r'; b: ArrayBuffer; n: number } | { t: 'd'; hex: string }) => {
      if (m.t === 'r') {
        this.queued -= m.n;
        if (m.b.byteLength === m.n) this.recycle(Buffer.from(m.b));
        const d = this.drainers;
        this.drainers = [];
        for (const f of d) f();
      } else {
        this.digestWaiter?.resolve(m.hex);
        this.digestWaiter = null;
      }
    });
    this.worker.on('error', (e) => {
      this.failed = e;
      this.digestWaiter?.reject(e);
    });
  }

  get backlog(): number {
    return this.queued;
  }

  update(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    // Only a buffer that owns its whole ArrayBuffer may be transferred: a view (or a small Buffer, which is a slice
    // of Node's shared pool) is copied first — transferring its ArrayBuffer would hand over, and detach, memory that
    // other Buffers use. (Not `chunk.slice()`: on a Buffer that is a view, not a copy.)
    const own =
      chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
    const c = own ? chunk : new Uint8Array(chunk);
    this.queued += c.byteLength;
    this.worker.postMessage({ t: 'u', b: c.buffer, o: c.byteOffset, n: c.byteLength }, [c.buffer as ArrayBuffer]);
  }

  onDrain(cb: () => void): void {
    if (this.queued === 0) cb();
    else this.drainers.push(cb);
  }

  digest(): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      this.worker.postMessage({ t: 'd' });
    });
  }

  close(): void {
    void this.worker.terminate();
  }
}

/** A worker sink, or the inline one when a worker cannot be started. */
export function createHashSink(recycle?: (buf: Buffer) => void, preferWorker = true): HashSink {
  if (preferWorker) {
    try {
      return new WorkerSha256(recycle);
    } catch {
      /* fall through */
    }
  }
  return new InlineSha256(recycle);
}
