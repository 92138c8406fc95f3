/**
 * What the Model page and the Monitor show of a GPU plan (backend.plan), as plain rows. Pure; tested in
 * gpu-plan-view.test.ts.
 */
import type { GpuSplitPlan } from '@shared/tuning';

export interface GpuPlanRow {
  name: string;
  description: string;
  used: boolean;
  layers: number;
  bytes: number;
  freeBytes: number;
  totalBytes: number;
  /** 0..1 of the offloaded layers. */
  share: number;
}

export interface GpuPlanView {
  rows: GpuPlanRow[];
  /** Blocks left on the CPU (0 = all offloaded). */
  cpuLayers: number;
  blockCount: number;
  /** MoE: the first N layers' experts in RAM (-ncmoe), else 0. */
  expertsInRam: number;
  /** Several GPUs sharing the model (our split or the user's). */
  split: boolean;
  /** llama-server's flags for the plan, as one line ('' when none). */
  flags: string;
}

export function gpuPlanView(plan: GpuSplitPlan): GpuPlanView {
  const rows = plan.devices.map((d) => ({
    name: d.name,
    description: d.description,
    used: d.used,
    layers: d.layers,
    bytes: d.bytes,
    freeBytes: d.freeBytes,
    totalBytes: d.totalBytes,
    share: d.share,
  }));
  const i = plan.args.indexOf('-ncmoe');
  return {
    rows,
    cpuLayers: plan.cpuLayers,
    blockCount: plan.blockCount,
    expertsInRam: i >= 0 ? Number(plan.args[i + 1]) || 0 : 0,
    split: rows.filter((r) => r.used && r.layers > 0).length >= 2,
    flags: plan.args.join(' '),
  };
}

/** Which device names a checkbox list shows as checked: the user's list, else what the plan uses. */
export function checkedDevices(chosen: string[] | null, plan: GpuSplitPlan | undefined, listed: string[]): string[] {
  if (chosen) return chosen;
  if (plan) return plan.devices.filter((d) => d.used).map((d) => d.name);
  return listed;
}

/** The device list after toggling `name`, in the runtime's order. */
export function toggleDevice(checked: string[], name: string, listed: string[]): string[] {
  const next = checked.includes(name) ? checked.filter((n) => n !== name) : [...checked, name];
  return listed.filter((n) => next.includes(n));
}
