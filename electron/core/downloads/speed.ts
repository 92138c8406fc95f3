/**
 * Speed and ETA of a download for the progress bar: bytes over the last ~5 s, so a stall shows within seconds and a
 * burst does not swing the ETA. Pure (the caller owns the samples and the clock); table-tested in speed.test.ts.
 */

export interface SpeedSample {
  /** ms (Date.now()). */
  t: number;
  /** Bytes received in all by then. */
  bytes: number;
}

export const SPEED_WINDOW_MS = 5000;
/** Below this span the figures would be noise: the previous ones stay. */
const MIN_SPAN_MS = 500;
const MAX_SAMPLES = 2000;

/**
 * Appends a sample and forgets those that left the window, keeping the newest one older than it (so the span covers
 * the whole window) and always two. Many samples within the window (a fast link reports every MiB) are thinned
 * from the oldest, keeping the first. Mutates `samples`: it is called for every MiB written.
 */
export function recordSample(samples: SpeedSample[], s: SpeedSample): void {
  samples.push(s);
  while (samples.length > 2 && s.t - samples[1]!.t > SPEED_WINDOW_MS) samples.shift();
  if (samples.length > MAX_SAMPLES) samples.splice(1, MAX_SAMPLES / 2);
}

/**
 * Bytes/s (whole) and seconds left (rounded up; null while nothing moves), or null when the span is too short to say.
 * Once every byte is here the ETA is 0, and a download shorter than the minimum span is measured over what it took
 * (a fast link fetches a small file between two progress reports: "-/s, ETA --:--" at 100 % would say nothing).
 */
export function speedAndEta(
  samples: readonly SpeedSample[],
  totalBytes: number,
): { bytesPerSecond: number; etaSeconds: number | null } | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return null;
  const span = last.t - first.t;
  const complete = totalBytes > 0 && last.bytes >= totalBytes;
  if (span <= 0 || (span < MIN_SPAN_MS && !complete)) return null;
  const speed = Math.max(0, (last.bytes - first.bytes) / (span / 1000));
  return {
    bytesPerSecond: Math.round(speed),
    etaSeconds: complete ? 0 : speed > 0 ? Math.ceil((totalBytes - last.bytes) / speed) : null,
  };
}
