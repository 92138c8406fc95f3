/**
 * Combines what each source says about the GPUs into one list. llama-server's --list-devices is the ground truth
 * of what the backend can use: where it and a vendor tool disagree (VRAM total or free beyond a small tolerance,
 * or how many GPUs there are), both values are recorded and the backend's is used. Pure.
 */
import {
  probeNote,
  type BackendDevice,
  type GpuInfo,
  type HardwareReport,
  type ProbeNote,
  type Source,
} from '../../shared/telemetry';
import type { AmdStaticGpu } from '../gpu-tools/amd-smi';
import { backendDeviceVendor, backendRank } from '../gpu-tools/list-devices';
import type { NvidiaProbeGpu } from '../gpu-tools/nvidia-probe';

type Disagreement = HardwareReport['disagreements'][number];
type Vendor = GpuInfo['vendor'];

/** A controller as systeminformation's graphics() reports it (only what we use). */
export interface SiController {
  vendor: string;
  model: string;
  vramMiB: number | null;
  driverVersion: string | null;
}

export interface MergeInput {
  nvidia: NvidiaProbeGpu[];
  cudaVersion: string | null;
  amd: AmdStaticGpu[];
  amdSource: 'amd-smi' | 'rocm-smi';
  si: SiController[];
  /** null when llama-server could not be asked (missing, failed). */
  backend: BackendDevice[] | null;
}

export interface MergeResult {
  gpus: GpuInfo[];
  disagreements: Disagreement[];
  notes: ProbeNote[];
}

/**
 * Two VRAM figures agree when within 64 MiB or 1 % for totals (drivers and CUDA round and reserve differently),
 * 512 MiB or 5 % for free memory (the backend measures after creating its own GPU context, which costs that much).
 */
export function vramAgrees(a: number, b: number, kind: 'total' | 'free' = 'total'): boolean {
  const [floor, share] = kind === 'total' ? [64, 0.01] : [512, 0.05];
  return Math.abs(a - b) <= Math.max(floor, share * Math.max(a, b));
}

export function siVendor(vendor: string, model: string): Vendor | null {
  const s = `${vendor} ${model}`.toLowerCase();
  if (/nvidia/.test(s)) return 'nvidia';
  if (/\bamd\b|advanced micro|ati\b|radeon/.test(s)) return 'amd';
  if (/intel/.test(s)) return 'intel';
  if (/apple/.test(s)) return 'apple';
  return null;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/\(r\)|\(tm\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();

export function mergeGpus(input: MergeInput): MergeResult {
  const gpus: GpuInfo[] = [];
  const disagreements: Disagreement[] = [];
  const notes: MergeResult['notes'] = [];
  const sourced = <T>(value: T, source: Source) => ({ value, source });

  for (const g of input.nvidia) {
    gpus.push({
      index: g.index,
      vendor: 'nvidia',
      name: g.name,
      uuid: g.uuid,
      vramTotalMiB: sourced(g.totalMiB, 'nvidia-smi'),
      vramFreeMiB: sourced(g.freeMiB, 'nvidia-smi'),
      driverVersion: sourced(g.driverVersion, 'nvidia-smi'),
      cudaVersion: input.cudaVersion,
      computeCapability: g.computeCap,
      unifiedMemory: false,
      backendDevice: null,
    });
  }
  const nextIndex = () => (gpus.length ? Math.max(...gpus.map((g) => g.index)) + 1 : 0);
  for (const g of input.amd) {
    gpus.push({
      index: nextIndex(),
      vendor: 'amd',
      name: g.name,
      uuid: null,
      vramTotalMiB: sourced(g.vramTotalMiB, input.amdSource),
      vramFreeMiB: sourced(null, input.amdSource),
      driverVersion: sourced(g.driverVersion, input.amdSource),
      cudaVersion: null,
      computeCapability: null,
      unifiedMemory: false,
      backendDevice: null,
    });
  }
  // systeminformation fills in GPUs no vendor tool covered (Intel, Apple, an NVIDIA without its driver tools).
  for (const c of input.si) {
    const vendor = siVendor(c.vendor, c.model);
    if (!vendor) continue;
    if (vendor === 'nvidia' && input.nvidia.length) continue;
    if (vendor === 'amd' && input.amd.length) continue;
    if (gpus.some((g) => norm(g.name) === norm(c.model))) continue;
    gpus.push({
      index: nextIndex(),
      vendor,
      name: c.model || c.vendor,
      uuid: null,
      vramTotalMiB: sourced(c.vramMiB, 'systeminformation'),
      vramFreeMiB: sourced(null, 'systeminformation'),
      driverVersion: sourced(c.driverVersion, 'systeminformation'),
      cudaVersion: null,
      computeCapability: null,
      unifiedMemory: vendor === 'apple' || (vendor === 'intel' && !/\barc\b/i.test(c.model)),
      backendDevice: null,
    });
  }

  if (input.backend) {
    const devices = [...input.backend].sort((a, b) => backendRank(a) - backendRank(b));
    for (const d of devices) {
      const vendor = backendDeviceVendor(d);
      const unmatched = gpus.filter((g) => g.vendor === vendor && !g.backendDevice);
      const target = unmatched.find((g) => norm(g.name) === norm(d.description)) ?? unmatched[0];
      if (!target) {
        // A second route (Vulkan) to a GPU the native backend already listed is the same GPU.
        if (gpus.some((g) => g.vendor === vendor && g.backendDevice && norm(g.name) === norm(d.description))) continue;
        gpus.push({
          index: nextIndex(),
          vendor,
          name: d.description,
          uuid: null,
          vramTotalMiB: sourced(d.totalMiB, 'llama-server'),
          vramFreeMiB: sourced(d.freeMiB, 'llama-server'),
          driverVersion: sourced(null, 'llama-server'),
          cudaVersion: null,
          computeCapability: null,
          unifiedMemory: vendor === 'apple',
          backendDevice: d,
        });
        continue;
      }
      target.backendDevice = d;
      for (const field of ['vramTotalMiB', 'vramFreeMiB'] as const) {
        const theirs = target[field];
        const ours = field === 'vramTotalMiB' ? d.totalMiB : d.freeMiB;
        if (ours === null) continue;
        if (theirs.value !== null && !vramAgrees(theirs.value, ours, field === 'vramTotalMiB' ? 'total' : 'free')) {
          disagreements.push({
            field: `gpu${target.index}.${field}`,
            values: [
              { source: theirs.source, value: `${theirs.value} MiB` },
              { source: 'llama-server', value: `${ours} MiB` },
            ],
            preferred: 'llama-server',
          });
        }
        target[field] = sourced(ours, 'llama-server');
      }
    }
    // How many GPUs of a vendor the backend can use vs how many the vendor tool sees (CUDA_VISIBLE_DEVICES, a GPU
    // too old for this CUDA build …). Only meaningful when the backend sees at least one of that vendor.
    for (const [vendor, toolCount, tool] of [
      ['nvidia', input.nvidia.length, 'nvidia-smi'],
      ['amd', input.amd.length, input.amdSource],
    ] as const) {
      const mine = input.backend.filter((d) => backendDeviceVendor(d) === vendor);
      const best = Math.min(...mine.map(backendRank));
      const usable = mine.filter((d) => backendRank(d) === best).length;
      if (toolCount > 0 && usable > 0 && usable !== toolCount) {
        disagreements.push({
          field: `${vendor}.gpuCount`,
          values: [
            { source: tool, value: String(toolCount) },
            { source: 'llama-server', value: String(usable) },
          ],
          preferred: 'llama-server',
        });
      }
    }
    const gpuDevices = input.backend.filter((d) => !/^(CPU|BLAS|RPC)/i.test(d.name));
    if (gpuDevices.length === 0 && gpus.length > 0) {
      notes.push(probeNote('llama-server', 'BACKEND_NO_GPU'));
    }
  }

  gpus.sort((a, b) => a.index - b.index);
  return { gpus, disagreements, notes };
}
