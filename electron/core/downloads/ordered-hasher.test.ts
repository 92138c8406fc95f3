/**
 * The one-pass SHA-256 over out-of-order segments: whatever order chunks arrive in, the digest is the file's; bytes
 * from an earlier run are read from disk exactly once; the buffer for later segments is bounded and the head is never
 * made to wait (no deadlock).
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InlineSha256, WorkerSha256 } from './hash-sink';
import { OrderedHasher } from './ordered-hasher';

const data = randomBytes(100_000);
const want = createHash('sha256').update(data).digest('hex');
const disk = async (pos: number, len: number) => data.subarray(pos, pos + len);

/** Splits [start, end) into chunks of `n` bytes. */
const chunks = (start: number, end: number, n: number) => {
  const out: [number, Buffer][] = [];
  for (let p = start; p < end; p += n) out.push([p, data.subarray(p, Math.min(end, p + n))]);
  return out;
};

function shuffle<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('OrderedHasher', () => {
  it('in order: hashes as it goes, buffers nothing', async () => {
    const h = new OrderedHasher(data.length, 1 << 20, disk);
    for (const [p, c] of chunks(0, data.length, 7000)) {
      h.push(p, c);
      expect(h.buffered).toBe(0);
    }
    await h.settle();
    expect(await h.digest()).toBe(want);
    expect(h.diskBytesRead).toBe(0);
  });

  it.each([1, 2, 3, 4, 5])(
    'any arrival order (seed %i) gives the same digest, without reading the disk',
    async (seed) => {
      const h = new OrderedHasher(data.length, 1 << 20, disk);
      // Chunks within a segment stay in order; segments interleave at random.
      const segs = [0, 25_000, 50_000, 75_000].map((s) => chunks(s, s + 25_000, 3000));
      const order = shuffle(
        segs.flatMap((s, i) => s.map(() => i)),
        seed,
      );
      const next = segs.map(() => 0);
      for (const i of order) {
        const [p, c] = segs[i]![next[i]!++]!;
        h.push(p, c);
      }
      await h.settle();
      expect(h.pos).toBe(data.length);
      expect(await h.digest()).toBe(want);
      expect(h.diskBytesRead).toBe(0);
    },
  );

  it('resume: bytes already on disk are read once, live bytes after them come from memory', async () => {
    const h = new OrderedHasher(data.length, 1 << 20, disk);
    // An earlier run left [0, 30000) and [50000, 60000) on disk.
    h.addDiskRange(0, 30_000);
    h.addDiskRange(50_000, 60_000);
    for (const [p, c] of chunks(60_000, 100_000, 4096)) h.push(p, c);
    for (const [p, c] of chunks(30_000, 50_000, 4096)) h.push(p, c);
    await h.settle();
    expect(await h.digest()).toBe(want);
    expect(h.diskBytesRead).toBe(40_000);
  });

  it('warm resume: a kept hash continues from its position; nothing before it is read again', async () => {
    const a = new OrderedHasher(data.length, 1 << 20, disk);
    for (const [p, c] of chunks(0, 40_000, 5000)) a.push(p, c);
    await a.settle();
    const warm = a.warm();
    const b = new OrderedHasher(data.length, 1 << 20, disk, warm);
    b.addDiskRange(0, 45_000);
    for (const [p, c] of chunks(45_000, 100_000, 5000)) b.push(p, c);
    await b.settle();
    expect(await b.digest()).toBe(want);
    expect(b.diskBytesRead).toBe(5000);
  });

  it('bounded buffer: later segments wait when the window is full, the head never does', async () => {
    const h = new OrderedHasher(data.length, 10_000, disk);
    for (const [p, c] of chunks(50_000, 62_000, 3000)) h.push(p, c);
    expect(h.buffered).toBe(12_000);
    // A later segment must wait …
    expect(h.shouldWait(50_000, 75_000)).toBe(true);
    // … the segment holding the hash position must not.
    expect(h.shouldWait(0, 25_000)).toBe(false);
    let woke = false;
    const waiting = h.waitForRoom().then(() => (woke = true));
    for (const [p, c] of chunks(0, 50_000, 5000)) h.push(p, c);
    await h.settle();
    await waiting;
    expect(woke).toBe(true);
    expect(h.buffered).toBe(0);
    expect(h.pos).toBe(62_000);
  });

  it('with the worker-thread sink: same digest, blocks transferred and handed back for reuse', async () => {
    const back: Buffer[] = [];
    const sink = new WorkerSha256((b) => back.push(b));
    try {
      const h = new OrderedHasher(data.length, 1 << 20, disk, null, sink);
      // Owned buffers (transferred), views into a larger buffer and small pool-backed Buffers (copied) alike.
      const pool = Buffer.allocUnsafe(16);
      pool.fill(9);
      for (const [p, c] of chunks(0, 40_000, 20_000)) h.push(p, Buffer.from(c));
      const big = Buffer.concat([Buffer.alloc(100), data.subarray(40_000, 80_000), Buffer.alloc(100)]);
      h.push(40_000, big.subarray(100, 100 + 40_000));
      // Small Buffers share Node's pool with `pool` above: transferring their memory would empty it.
      for (const [p, c] of chunks(80_000, data.length, 1000)) h.push(p, Buffer.from(c));
      expect(await h.digest()).toBe(want);
      // Every byte went to the hash thread and its buffer came back; the views' owners kept their memory.
      expect(back.reduce((n, b) => n + b.length, 0)).toBe(data.length);
      expect(big.length).toBe(40_200);
      expect(big.subarray(100, 40_100).equals(data.subarray(40_000, 80_000))).toBe(true);
      expect(pool.length).toBe(16);
      expect(pool.every((x) => x === 9)).toBe(true);
      expect(sink.backlog).toBe(0);
    } finally {
      sink.close();
    }
  });

  it('a worker waiting for the window is not woken by an idle sink (that would spin and starve the network)', async () => {
    const h = new OrderedHasher(data.length, 10_000, disk, null, new InlineSha256());
    for (const [p, c] of chunks(50_000, 62_000, 3000)) h.push(p, c);
    await h.settle();
    let woke = false;
    const waiting = h.waitForRoom().then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    h.push(0, data.subarray(0, 1000));
    await waiting;
    expect(woke).toBe(true);
  });

  it('the sink backlog makes every worker wait, the head included', () => {
    const sink = new InlineSha256();
    Object.defineProperty(sink, 'backlog', { value: 100 << 20 });
    const h = new OrderedHasher(data.length, 1 << 20, disk, null, sink);
    expect(h.shouldWait(0, 25_000)).toBe(true);
  });

  it('refuses a chunk behind the hash position (a bug, not data)', () => {
    const h = new OrderedHasher(data.length, 1 << 20, disk);
    h.push(0, data.subarray(0, 100));
    expect(() => h.push(50, data.subarray(50, 60))).toThrow(/behind/);
  });
});
