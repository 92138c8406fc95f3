/** nvidia-smi at probe time: the static per-GPU query and the CUDA version from the banner. Pure. */
import { parseValue } from './nvidia-smi';

export const PROBE_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.free',
  'driver_version',
  'compute_cap',
] as const;
export const probeArgs = (): string[] => [`--query-gpu=${PROBE_FIELDS.join(',')}`, '--format=csv,noheader,nounits'];

export interface NvidiaProbeGpu {
  index: number;
  uuid: string | null;
  name: string;
  totalMiB: number | null;
  freeMiB: number | null;
  driverVersion: string | null;
  computeCap: string | null;
}

const text = (s: string | undefined) =>
  s === undefined || !s.trim() || s.trim().startsWith('[') || /^n\/?a$/i.test(s.trim()) ? null : s.trim();

export function parseNvidiaProbe(csv: string): NvidiaProbeGpu[] {
  const out: NvidiaProbeGpu[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length < PROBE_FIELDS.length || !/^\d+$/.test(parts[0]!)) continue;
    const tail = parts.slice(parts.length - 4);
    out.push({
      index: Number(parts[0]),
      uuid: text(parts[1]),
      name: parts.slice(2, parts.length - 4).join(', '),
      totalMiB: parseValue(tail[0]),
      freeMiB: parseValue(tail[1]),
      driverVersion: text(tail[2]),
      computeCap: text(tail[3]),
    });
  }
  return out;
}

/**
 * "CUDA Version: 12.4" in the plain banner, "CUDA Version : 12.4" in `nvidia-smi -q`; from driver 610 the banner
 * says "KMD Version: 610.57.04     CUDA UMD Version: 13.3" instead (and -q prints both spellings).
 */
export function parseCudaVersion(text: string): string | null {
  const m = /CUDA (?:UMD )?Version\s*:\s*([\d.]+)/i.exec(text);
  return m ? m[1]! : null;
}
