/**
 * CPU load and RAM at each tick, without spawning anything: on Linux one read of /proc/stat's first line (what
 * systeminformation's currentLoad() would get only after shelling out to `cat /proc/stat | grep cpu` with
 * execSync on every call), elsewhere os.cpus(); RAM from os.totalmem/os.freemem (MemAvailable on Linux).
 */
import fs from 'node:fs/promises';
import os from 'node:os';

export interface CpuTimes {
  idle: number;
  total: number;
}

/** The aggregate "cpu" line: user nice system idle iowait irq softirq steal (guest is already inside user). */
export function parseProcStat(text: string): CpuTimes | null {
  const m = /^cpu\s+(.*)$/m.exec(text);
  if (!m) return null;
  const v = m[1]!.trim().split(/\s+/).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

export function cpuTimesFromOs(cpus: os.CpuInfo[]): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const c of cpus) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Busy share of all cores between two readings, 0..100; null without a previous reading. */
export function cpuPercent(prev: CpuTimes | null, cur: CpuTimes): number | null {
  if (!prev) return null;
  const dTotal = cur.total - prev.total;
  const dIdle = cur.idle - prev.idle;
  if (!(dTotal > 0)) return null;
  return Math.min(100, Math.max(0, (1 - dIdle / dTotal) * 100));
}

export interface HostReading {
  cpuPct: number | null;
  ramUsedBytes: number;
  ramTotalBytes: number;
}

export class HostStats {
  private prev: CpuTimes | null = null;
  private useProc = process.platform === 'linux';

  async read(): Promise<HostReading> {
    let cur: CpuTimes | null = null;
    if (this.useProc) {
      cur = parseProcStat(await fs.readFile('/proc/stat', 'utf8').catch(() => ''));
      if (!cur) this.useProc = false;
    }
    cur ??= cpuTimesFromOs(os.cpus());
    const cpuPct = cpuPercent(this.prev, cur);
    this.prev = cur;
    const total = os.totalmem();
    return {
      cpuPct: cpuPct === null ? null : Math.round(cpuPct * 10) / 10,
      ramUsedBytes: total - os.freemem(),
      ramTotalBytes: total,
    };
  }

  reset(): void {
    this.prev = null;
  }
}
