import { describe, expect, it } from 'vitest';
import type { Alert } from '@shared/telemetry';
import { appendAlert, mergeAlerts } from './alerts';

const a = (id: number): Alert => ({
  id,
  ts: id * 1000,
  kind: 'vram-high',
  level: 'warning',
  gpu: 0,
  params: { pct: 90 },
});
const ids = (xs: readonly Alert[]) => xs.map((x) => x.id);

describe('event log list', () => {
  it('merges the fetched list with alerts that arrived meanwhile, once each', () => {
    expect(ids(mergeAlerts([a(1), a(2)], [a(2), a(3)]))).toEqual([1, 2, 3]);
  });
  it('appends live alerts and keeps the newest when full', () => {
    let list: Alert[] = [];
    for (let i = 1; i <= 5; i++) list = appendAlert(list, a(i), 3);
    expect(ids(list)).toEqual([3, 4, 5]);
  });
  it('puts a late alert in order', () => {
    expect(ids(appendAlert([a(1), a(3)], a(2)))).toEqual([1, 2, 3]);
  });
});
