import { describe, expect, it } from 'vitest';
import { cpuPercent, HostStats, parseProcStat } from './host-stats';

describe('host stats', () => {
  it('reads the aggregate line of /proc/stat (iowait counts as idle, guest is inside user)', () => {
    expect(parseProcStat('cpu  200707 1620 31656 413416 1542 0 632 305 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n')).toEqual({
      idle: 413416 + 1542,
      total: 200707 + 1620 + 31656 + 413416 + 1542 + 0 + 632 + 305,
    });
    expect(parseProcStat('intr 1 2 3')).toBeNull();
  });

  it.each<[string, { idle: number; total: number } | null, { idle: number; total: number }, number | null]>([
    ['no previous reading', null, { idle: 10, total: 20 }, null],
    ['half busy', { idle: 0, total: 0 }, { idle: 50, total: 100 }, 50],
    ['idle', { idle: 0, total: 0 }, { idle: 100, total: 100 }, 0],
    ['no time passed', { idle: 5, total: 10 }, { idle: 5, total: 10 }, null],
  ])('cpuPercent: %s', (_n, prev, cur, expected) => {
    expect(cpuPercent(prev, cur)).toBe(expected);
  });

  it('reads CPU and RAM without spawning anything', async () => {
    const h = new HostStats();
    const first = await h.read();
    expect(first.cpuPct).toBeNull();
    expect(first.ramTotalBytes).toBeGreaterThan(first.ramUsedBytes);
    await new Promise((r) => setTimeout(r, 50));
    const second = await h.read();
    expect(second.cpuPct === null || (second.cpuPct >= 0 && second.cpuPct <= 100)).toBe(true);
  });
});
