/** Speed and ETA from progress samples: the window, thinning, and the figures the progress bar shows. */
import { describe, expect, it } from 'vitest';
import { recordSample, speedAndEta, type SpeedSample } from './speed';

const at = (...pairs: [number, number][]): SpeedSample[] => pairs.map(([t, bytes]) => ({ t, bytes }));

describe('recordSample', () => {
  it.each<[string, SpeedSample[], SpeedSample, number[]]>([
    // Inside the window nothing is forgotten.
    ['all recent', at([0, 0], [1000, 10]), { t: 2000, bytes: 20 }, [0, 1000, 2000]],
    // Samples older than the window go, but the newest of them stays so the span still covers ~5 s.
    ['old ones leave', at([0, 0], [1000, 10], [2000, 20]), { t: 7500, bytes: 75 }, [2000, 7500]],
    ['the one at the window edge stays', at([0, 0], [2000, 20]), { t: 7000, bytes: 70 }, [0, 2000, 7000]],
    // After a long silence two samples are kept: the figures then say 0 B/s rather than nothing.
    ['a long pause', at([0, 0], [1000, 10]), { t: 60_000, bytes: 10 }, [1000, 60_000]],
  ])('%s', (_name, samples, s, want) => {
    recordSample(samples, s);
    expect(samples.map((x) => x.t)).toEqual(want);
  });

  it('thins a crowded window from the oldest, keeping the first (a fast link reports every MiB)', () => {
    const samples = at(...Array.from({ length: 2000 }, (_, i): [number, number] => [i, i]));
    recordSample(samples, { t: 2000, bytes: 2000 });
    expect(samples.length).toBe(1001);
    expect(samples[0]!.t).toBe(0);
    expect(samples[1]!.t).toBe(1001);
  });
});

describe('speedAndEta', () => {
  it.each<[string, SpeedSample[], number, ReturnType<typeof speedAndEta>]>([
    // 10 MB in 5 s is 2 MB/s; 90 MB left is 45 s.
    ['steady', at([0, 0], [5000, 10e6]), 100e6, { bytesPerSecond: 2e6, etaSeconds: 45 }],
    // The ETA rounds up: "0 s left" while bytes are still missing would be a lie.
    ['a fraction of a second left', at([0, 0], [1000, 999]), 1000, { bytesPerSecond: 999, etaSeconds: 1 }],
    // A resumed download counts from what was already there, not from zero.
    ['resumed at 60 MB', at([0, 60e6], [1000, 61e6]), 100e6, { bytesPerSecond: 1e6, etaSeconds: 39 }],
    // Nothing moved: 0 B/s and no ETA (not infinity).
    ['stalled', at([0, 50], [5000, 50]), 100, { bytesPerSecond: 0, etaSeconds: null }],
    // Too short a span to say anything: the bar keeps its previous figures.
    ['first 0.4 s', at([0, 0], [400, 1e6]), 100e6, null],
    ['one sample', at([0, 0]), 100, null],
    // Every byte here: ETA 0, and a download quicker than the span is measured over the time it took.
    ['done in 0.3 s', at([0, 0], [300, 3e6]), 3e6, { bytesPerSecond: 1e7, etaSeconds: 0 }],
    ['done after 5 s', at([0, 0], [5000, 10e6]), 10e6, { bytesPerSecond: 2e6, etaSeconds: 0 }],
    ['done, but a single sample', at([0, 3e6]), 3e6, null],
    ['no samples', [], 100, null],
    // Only the ends of the window count.
    ['a burst in the middle', at([0, 0], [100, 9e6], [1000, 10e6]), 20e6, { bytesPerSecond: 10e6, etaSeconds: 1 }],
  ])('%s', (_name, samples, total, want) => {
    expect(speedAndEta(samples, total)).toEqual(want);
  });
});
