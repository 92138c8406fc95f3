import { describe, expect, it } from 'vitest';
import { advanceConfirmation, CONFIRM_SAMPLES, startConfirmation } from './confirm';

describe('power limit confirmation', () => {
  it('is confirmed by the first later sample that reports the target', () => {
    const c = advanceConfirmation(startConfirmation(300, 1000), { ts: 2000, limitW: 300 });
    expect(c.state).toBe('confirmed');
  });

  it('ignores samples taken before the change (they may predate it)', () => {
    const c = advanceConfirmation(startConfirmation(300, 1000), { ts: 1000, limitW: 450 });
    expect(c).toMatchObject({ state: 'waiting', seen: 0 });
  });

  it('accepts the driver’s rounding (187 W read back as 186.99)', () => {
    expect(advanceConfirmation(startConfirmation(187, 0), { ts: 1, limitW: 186.99 }).state).toBe('confirmed');
  });

  it('waits a few samples (the driver may lag a tick), then reports what the GPU says', () => {
    let c = startConfirmation(300, 0);
    for (let i = 1; i < CONFIRM_SAMPLES; i++) c = advanceConfirmation(c, { ts: i, limitW: 450 });
    expect(c.state).toBe('waiting');
    c = advanceConfirmation(c, { ts: CONFIRM_SAMPLES, limitW: 450 });
    expect(c).toMatchObject({ state: 'mismatch', reported: 450 });
  });

  it('says it cannot confirm when the GPU reports no limit at all', () => {
    let c = startConfirmation(300, 0);
    for (let i = 1; i <= CONFIRM_SAMPLES; i++) c = advanceConfirmation(c, { ts: i, limitW: null });
    expect(c).toMatchObject({ state: 'mismatch', reported: null });
  });

  it('stays confirmed', () => {
    const c = advanceConfirmation(startConfirmation(300, 0), { ts: 1, limitW: 300 });
    expect(advanceConfirmation(c, { ts: 2, limitW: 250 })).toBe(c);
  });
});
