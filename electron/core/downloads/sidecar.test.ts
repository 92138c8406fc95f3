/**
 * The resume state: the compact form must round-trip any progress, never claim bytes it was not given, and a sidecar
 * for other content (another hash or size), a torn or foreign file must read as "no state" rather than resume wrong
 * bytes into a model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bytesDone,
  compact,
  contiguousDone,
  readSidecar,
  segmentCount,
  segmentsOf,
  SidecarWriter,
  writeSidecar,
  type SidecarState,
} from './sidecar';

const sha = 'ab'.repeat(32);

describe('segments', () => {
  it.each([
    [0, 10, 0],
    [1, 10, 1],
    [10, 10, 1],
    [11, 10, 2],
    [100, 10, 10],
  ])('size %i, segment %i → %i segments', (size, seg, n) => {
    expect(segmentCount(size, seg)).toBe(n);
    const s = segmentsOf(size, seg);
    expect(s.length).toBe(n);
    if (n) expect(s.at(-1)!.end).toBe(size);
  });

  it.each([
    { name: 'nothing', done: [0, 0, 0, 0], want: { doneBelow: 0, partial: {} } },
    { name: 'a complete prefix', done: [10, 10, 0, 0], want: { doneBelow: 2, partial: {} } },
    {
      name: 'prefix plus segments in flight',
      done: [10, 10, 4, 3],
      want: { doneBelow: 2, partial: { '2': 4, '3': 3 } },
    },
    // A later segment finished before an earlier one (parallel workers).
    { name: 'a hole', done: [10, 0, 10, 3], want: { doneBelow: 1, partial: { '2': 10, '3': 3 } } },
    { name: 'everything (short last segment)', done: [10, 10, 10, 5], want: { doneBelow: 4, partial: {} } },
  ])('compact round-trips: $name', ({ done, want }) => {
    const segs = segmentsOf(35, 10).map((s, i) => ({ ...s, done: Math.min(done[i]!, s.end - s.start) }));
    const c = compact(segs);
    expect(c).toEqual(want);
    expect(segmentsOf(35, 10, c).map((s) => s.done)).toEqual(segs.map((s) => s.done));
    expect(bytesDone(segmentsOf(35, 10, c))).toBe(bytesDone(segs));
  });

  it('a state claiming more than a segment holds is clamped', () => {
    expect(segmentsOf(35, 10, { doneBelow: 0, partial: { '3': 999 } }).map((s) => s.done)).toEqual([0, 0, 0, 5]);
  });
});

describe('contiguousDone', () => {
  // Segments of 10 bytes in a 35-byte file; `done` per segment. A hash kept from a pause covers a prefix of the file:
  // it is usable only up to the first byte that is not on disk.
  it.each<[string, number[], number]>([
    ['nothing yet', [0, 0, 0, 0], 0],
    ['inside the first segment', [4, 0, 0, 0], 4],
    ['complete segments then a partial one', [10, 10, 3, 0], 23],
    // Bytes after a gap do not count: the hash cannot skip the gap.
    ['a gap before later bytes', [10, 0, 10, 5], 10],
    ['the whole file', [10, 10, 10, 5], 35],
  ])('%s', (_name, done, want) => {
    const segs = segmentsOf(35, 10).map((s, i) => ({ ...s, done: done[i]! }));
    expect(contiguousDone(segs)).toBe(want);
  });
});
describe('sidecar file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-sidecar-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const state = (over: Partial<SidecarState> = {}): SidecarState => ({
    version: 1,
    sha256: sha,
    size: 35,
    segmentBytes: 10,
    doneBelow: 2,
    partial: { '3': 4 },
    verified: false,
    updatedAt: 1,
    ...over,
  });

  it('writes atomically (no temp files left) and reads back', async () => {
    const f = path.join(dir, 'x.partial.json');
    await writeSidecar(f, state());
    await writeSidecar(f, state({ doneBelow: 3 }), true);
    expect(fs.readdirSync(dir)).toEqual(['x.partial.json']);
    expect(await readSidecar(f, { sha256: sha, size: 35 })).toMatchObject({ doneBelow: 3, partial: { '3': 4 } });
  });

  it.each([
    ['another hash', { sha256: 'cd'.repeat(32), size: 35 }, undefined],
    ['another size', { sha256: sha, size: 36 }, undefined],
    ['a torn file', { sha256: sha, size: 35 }, '{"version":1,"sha256":'],
    ['a foreign file', { sha256: sha, size: 35 }, '{"hello":"world"}'],
    ['an impossible prefix', { sha256: sha, size: 35 }, JSON.stringify(state({ doneBelow: 9 }))],
  ])('reads as no state: %s', async (_, expect_, raw) => {
    const f = path.join(dir, 'x.partial.json');
    if (raw === undefined) await writeSidecar(f, state());
    else fs.writeFileSync(f, raw);
    expect(await readSidecar(f, expect_)).toBeNull();
  });

  it('a missing sidecar is no state', async () => {
    expect(await readSidecar(path.join(dir, 'nope.json'), { sha256: sha, size: 1 })).toBeNull();
  });

  it('the writer records the live segments, and calls during a write become one write after it', async () => {
    const f = path.join(dir, 'x.partial.json');
    const segs = segmentsOf(35, 10);
    let received = 0;
    const w = new SidecarWriter(f, state({ doneBelow: 0, partial: {} }), segs, () => received);
    segs[0]!.done = 10;
    segs[1]!.done = 3;
    received = 13;
    const writes = [w.write(false), w.write(false), w.write(false)];
    expect(w.busy).toBe(true);
    await Promise.all(writes);
    expect(w.busy).toBe(false);
    expect(w.bytesAtLastWrite).toBe(13);
    expect(await readSidecar(f, { sha256: sha, size: 35 })).toMatchObject({
      doneBelow: 1,
      partial: { '1': 3 },
      verified: false,
    });
    await w.markVerified();
    expect(await readSidecar(f, { sha256: sha, size: 35 })).toMatchObject({ doneBelow: 1, verified: true });
  });

  it('after discard no write lands (the partial file and sidecar are being deleted)', async () => {
    const f = path.join(dir, 'x.partial.json');
    const w = new SidecarWriter(f, state(), segmentsOf(35, 10), () => 0);
    const under = w.write(false);
    await w.discard();
    await under;
    fs.rmSync(f);
    await w.write(true);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
