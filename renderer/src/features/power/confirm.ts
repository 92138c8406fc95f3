/**
 * "Applied" is what nvidia-smi said; "confirmed" is what the GPU then reports. After a successful call the panel
 * waits for the samples that follow it and compares their enforced limit with the target. The first sample after
 * the call may have been read before the driver applied the change, so a few are allowed before calling it a
 * mismatch. Pure, so the rules are tested with tables.
 */

export interface Confirmation {
  state: 'waiting' | 'confirmed' | 'mismatch';
  target: number;
  /** The newest sample's ts when the call returned; only later samples count. */
  afterTs: number;
  /** Later samples seen so far. */
  seen: number;
  /** What the GPU reported last. */
  reported: number | null;
}

/** Samples allowed to still show the old limit before the panel says the GPU disagrees. */
export const CONFIRM_SAMPLES = 3;

/** nvidia-smi reports limits with two decimals; a request of 187 W may read back as 187.00 or 186.99. */
const TOLERANCE_W = 0.6;

export const startConfirmation = (target: number, afterTs: number): Confirmation => ({
  state: 'waiting',
  target,
  afterTs,
  seen: 0,
  reported: null,
});

export function advanceConfirmation(c: Confirmation, sample: { ts: number; limitW: number | null }): Confirmation {
  if (c.state !== 'waiting' || sample.ts <= c.afterTs) return c;
  const seen = c.seen + 1;
  const reported = sample.limitW ?? c.reported;
  if (sample.limitW != null && Math.abs(sample.limitW - c.target) <= TOLERANCE_W)
    return { ...c, state: 'confirmed', seen, reported };
  return { ...c, seen, reported, state: seen >= CONFIRM_SAMPLES ? 'mismatch' : 'waiting' };
}
