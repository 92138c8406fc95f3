/** Values derived from the tuning when it leaves them unset. */
import { describe, expect, it } from 'vitest';
import { checkpointEveryBytes, hashWindowBytes } from './tuning';

const MiB = 1 << 20;

describe('hashWindowBytes', () => {
  it.each<[string, number | null, number, number, number]>([
    // One segment ahead per other connection: every connection can run ahead of the hash by a segment.
    ['4 connections', null, 4, 32 * MiB, 96 * MiB],
    // One connection still needs room for its own segment, or the hash and the network would take turns.
    ['1 connection', null, 1, 32 * MiB, 32 * MiB],
    // Set explicitly (tests, the bench): taken as is.
    ['set', 5 * MiB, 4, 32 * MiB, 5 * MiB],
  ])('%s', (_name, windowBytes, connections, segmentBytes, want) => {
    expect(hashWindowBytes({ windowBytes, connections }, segmentBytes)).toBe(want);
  });
});

describe('checkpointEveryBytes', () => {
  it.each<[string, number | null, number, number]>([
    // Default 32 MiB segments: every 2 MiB, so a kill loses at most ~2 MiB per connection.
    ['default segments', null, 32 * MiB, 2 * MiB],
    // Small segments: an eighth of one, so a kill never loses a good part of a segment…
    ['8 MiB segments', null, 8 * MiB, 1 * MiB],
    // …but not below 256 KiB, or tiny test segments would write the sidecar for every block.
    ['1 MiB segments', null, 1 * MiB, 256 * 1024],
    ['set', 4096, 32 * MiB, 4096],
  ])('%s', (_name, checkpointBytes, segmentBytes, want) => {
    expect(checkpointEveryBytes({ checkpointBytes }, segmentBytes)).toBe(want);
  });
});
