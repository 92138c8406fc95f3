/** The GPU plan as the Model page and the Monitor show it; the device checkboxes' list. */
import { describe, expect, it } from 'vitest';
import type { GpuSplitPlan } from '@shared/tuning';
import { checkedDevices, gpuPlanView, toggleDevice } from './gpu-plan-view';

const GiB = 1024 ** 3;
const plan = (over: Partial<GpuSplitPlan> = {}): GpuSplitPlan => ({
  devices: [
    {
      name: 'CUDA0',
      description: 'RTX 3090',
      totalBytes: 24 * GiB,
      freeBytes: 23 * GiB,
      used: true,
      layers: 30,
      bytes: 18 * GiB,
      share: 0.65,
    },
    {
      name: 'CUDA1',
      description: 'RTX 3060',
      totalBytes: 12 * GiB,
      freeBytes: 11 * GiB,
      used: true,
      layers: 16,
      bytes: 9 * GiB,
      share: 0.35,
    },
    {
      name: 'Vulkan0',
      description: 'Intel UHD 770',
      totalBytes: 16 * GiB,
      freeBytes: 16 * GiB,
      used: false,
      layers: 0,
      bytes: 0,
      share: 0,
    },
  ],
  cpuLayers: 2,
  blockCount: 48,
  splitMode: 'layer',
  mainGpu: 0,
  tensorSplit: [30, 16],
  fitOff: true,
  args: ['-ngl', '46', '--fit', 'off', '-dev', 'CUDA0,CUDA1', '-ts', '30,16'],
  ...over,
});

describe('gpuPlanView', () => {
  it('rows per device, the CPU remainder, the flags as one line, a split when two GPUs hold layers', () => {
    const v = gpuPlanView(plan());
    expect(v.rows.map((r) => [r.name, r.used, r.layers])).toEqual([
      ['CUDA0', true, 30],
      ['CUDA1', true, 16],
      ['Vulkan0', false, 0],
    ]);
    expect(v).toMatchObject({ cpuLayers: 2, blockCount: 48, expertsInRam: 0, split: true });
    expect(v.flags).toBe('-ngl 46 --fit off -dev CUDA0,CUDA1 -ts 30,16');
  });

  it('MoE: the experts kept in RAM come from -ncmoe', () => {
    expect(gpuPlanView(plan({ args: ['-ngl', 'all', '--fit', 'off', '-ncmoe', '12'] })).expertsInRam).toBe(12);
  });

  it('one GPU holding layers is not a split', () => {
    const p = plan();
    p.devices[1] = { ...p.devices[1]!, used: false, layers: 0, share: 0 };
    expect(gpuPlanView(p).split).toBe(false);
  });
});

describe('device checkboxes', () => {
  const listed = ['CUDA0', 'CUDA1', 'Vulkan0'];
  it("show the user's choice, else what the plan uses, else every device", () => {
    expect(checkedDevices(['CUDA1'], plan(), listed)).toEqual(['CUDA1']);
    expect(checkedDevices(null, plan(), listed)).toEqual(['CUDA0', 'CUDA1']);
    expect(checkedDevices(null, undefined, listed)).toEqual(listed);
  });
  it('toggle keeps the runtime order (-ts and -mg index it)', () => {
    expect(toggleDevice(['CUDA1'], 'CUDA0', listed)).toEqual(['CUDA0', 'CUDA1']);
    expect(toggleDevice(['CUDA0', 'CUDA1'], 'CUDA0', listed)).toEqual(['CUDA1']);
  });
});
