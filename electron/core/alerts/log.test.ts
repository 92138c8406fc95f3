import { describe, expect, it } from 'vitest';
import { AlertLog } from './log';

describe('alert log', () => {
  it('numbers alerts, keeps a bounded log, emits and logs each', () => {
    const emitted: number[] = [];
    const lines: string[] = [];
    let t = 1000;
    const log = new AlertLog(
      (a) => emitted.push(a.id),
      (l) => lines.push(l),
      3,
      () => t++,
    );
    for (let i = 0; i < 5; i++) log.push({ kind: 'vram-high', level: 'warning', gpu: 0, params: { pct: 90 + i } });
    expect(emitted).toEqual([1, 2, 3, 4, 5]);
    expect(log.list().map((a) => a.id)).toEqual([3, 4, 5]);
    expect(log.list(2).map((a) => a.params.pct)).toEqual([93, 94]);
    expect(lines[0]).toBe('alert vram-high gpu=0 pct=90');
  });
});
